/**
 * A plan with a top-level flow runs as one `default` scenario, as k6's default function does:
 * one VU and one iteration, --vus N one iteration each, --duration a constant-vus run.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validatePlan } from '../../src/plan/validate.ts';
import { outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const plan = (target: string) => `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  flow: async (vu) => { await vu.http.get('/hello'); await vu.sleep(0.05); },
});
`;

describe('a top-level flow', () => {
  it('runs once on one VU, --vus N once on each, --duration as constant-vus', async () => {
    const dir = outsideDir();
    const file = writePlan(dir, 'plan.ts', plan(server.url));
    const once = await runCli(['run', file, '--out', join(dir, 'a')], { cwd: dir });
    assert.equal(once.code, 0, once.stderr);
    const a = readResults(join(dir, 'a'));
    assert.deepEqual(Object.keys(a.scenarios), ['default']);
    assert.equal(a.iterations, 1);

    const vus = await runCli(['run', file, '--out', join(dir, 'b'), '--vus', '4'], { cwd: dir });
    assert.equal(vus.code, 0, vus.stderr);
    assert.equal(readResults(join(dir, 'b')).iterations, 4);

    const timed = await runCli(['run', file, '--out', join(dir, 'c'), '--vus', '2', '--duration', '1s'], {
      cwd: dir,
    });
    assert.equal(timed.code, 0, timed.stderr);
    const c = readResults(join(dir, 'c'));
    assert.equal(c.scenarios.default?.executor, 'constant-vus');
    assert.ok(c.iterations >= 10, `two VUs for a second, 50 ms apart: ${c.iterations}`);
  });

  it('beside scenarios it is an error naming both; with neither the message says what is missing', () => {
    const flow = async () => {};
    assert.throws(
      () =>
        validatePlan({
          target: 'http://127.0.0.1:8080',
          flow,
          scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '1s', flow } },
        }),
      /flow: a plan has a top-level flow or scenarios, not both/,
    );
    assert.throws(
      () => validatePlan({ target: 'http://127.0.0.1:8080' }),
      /scenarios: expected at least one scenario .* \(or a top-level flow\), got nothing/,
    );
  });
});
