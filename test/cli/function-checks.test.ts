/**
 * A plan's function checks run in the thread that read the plan (not the one that judges): they
 * get the counters as figures, setup()'s data and the environment, before, during and after the
 * load, and a check that fails or exits that thread fails the verdict.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const plan = (target: string, checks: string) => `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  metrics: { orders: 'counter' },
  scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 12, flow: async (vu) => { await vu.http.get('/hello'); vu.metrics.counter('orders', 1); } } },
  setup: () => ({ expected: 12 }),
  checks: { ${checks} },
});
`;

describe('function checks', () => {
  it('see the counters, setup() and the environment; a failing one is NO-GO', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `counted: {
          before: true,
          run: (ctx) => ctx.phase === 'before' ? (ctx.counter('orders') === 0 ? undefined : 'orders before the load')
            : ctx.counter('orders') === ctx.setup.expected && ctx.counterNames('ord').includes('orders') && ctx.env.CHECK_ENV === 'yes'
              ? undefined : 'saw ' + ctx.counter('orders') + ' ' + ctx.counterNames('ord').join(',') + ' ' + ctx.env.CHECK_ENV,
        },`,
      ),
    );
    const r = await runCli(['run', file, '--out', join(dir, 'out'), '--env', 'CHECK_ENV=yes'], { cwd: dir });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const results = readResults(join(dir, 'out'));
    assert.deepEqual(
      results.checks.map((c) => [c.name, c.ok, c.runs]),
      [['counted', true, 2]],
    );

    const failing = writePlan(
      dir,
      'failing.plan.ts',
      plan(
        server.url,
        `wrong: { run: (ctx) => 'only ' + ctx.counter('orders') }, exits: { run: () => { process.exit(0); } },`,
      ),
    );
    const f = await runCli(['run', failing, '--out', join(dir, 'out-failing')], { cwd: dir });
    assert.equal(f.code, 3, f.stderr);
    const failed = readResults(join(dir, 'out-failing'));
    assert.equal(failed.verdict.status, 'NO-GO');
    const byName = Object.fromEntries(failed.checks.map((c) => [c.name, c]));
    assert.equal(byName.wrong?.ok, false);
    assert.equal(byName.wrong?.message, 'only 12');
    assert.equal(byName.exits?.ok, false);
    assert.match(byName.exits?.message ?? '', /process\.exit\(0\)/);
  });
});
