/**
 * A hook that fails is never a GO: `process.exit(0)` in setup(), teardown() or handleSummary(),
 * and a teardown() that throws, end with a non-zero exit; after the load, with results.json
 * written and the reason in it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hasResults, outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const tsPlan = (target: string, hooks: string) => `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 10, flow: async (vu) => { await vu.http.get('/hello'); } } },
  ${hooks}
});
`;

const k6Script = (target: string, hooks: string) => `import http from 'k6/http';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 10 } } };
export default function () { http.get('${target}/hello'); }
${hooks}
`;

async function run(name: string, source: string) {
  const dir = outsideDir();
  const file = writePlan(dir, name, source);
  const out = join(dir, 'out');
  const before = server.counts.get('/hello') ?? 0;
  const r = await runCli(['run', file, '--out', out], { cwd: dir, timeoutMs: 60_000 });
  const sent = (server.counts.get('/hello') ?? 0) - before;
  return { ...r, out, sent };
}

/** After the load: NO-GO (exit 3), results.json written with the hook's failure as a reason. */
function assertFailedAfterLoad(r: Awaited<ReturnType<typeof run>>, reason: RegExp) {
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.sent, 10);
  const results = readResults(r.out);
  assert.equal(results.verdict.status, 'NO-GO');
  assert.equal(results.requests.total, 10);
  assert.ok(
    results.verdict.reasons.some((x) => reason.test(x)),
    `no reason matches ${reason}: ${results.verdict.reasons.join('; ')}`,
  );
  assert.match(r.stdout, reason, 'the console summary names the reason');
}

describe('failed hooks', () => {
  it('process.exit(0) in setup(): no load is sent, a clear error, a non-zero exit', async () => {
    const r = await run('plan.ts', tsPlan(server.url, 'setup: () => { process.exit(0); },'));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /setup\(\) failed: .*process\.exit\(0\)/);
    assert.equal(r.sent, 0);
    // No verdict: at most the marker a run writes when it starts (it never finished).
    assert.equal(hasResults(r.out), false);
  });

  it('process.exit(0) in a k6 setup(): the same (a k6 script has no process: its realm has none)', async () => {
    const r = await run('script.js', k6Script(server.url, 'export function setup() { process.exit(0); }'));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /setup\(\) failed: .*process is not defined/);
    assert.equal(r.sent, 0);
  });

  it('process.exit(0) in teardown(): NO-GO with results written', async () => {
    const r = await run('plan.ts', tsPlan(server.url, 'teardown: () => { process.exit(0); },'));
    assertFailedAfterLoad(r, /teardown\(\) failed: .*process\.exit\(0\)/);
  });

  it('teardown() that throws: NO-GO with results written (TypeScript plan and k6 script)', async () => {
    const ts = await run(
      'plan.ts',
      tsPlan(server.url, `teardown: () => { throw new Error('cannot clean'); },`),
    );
    assertFailedAfterLoad(ts, /teardown\(\) failed: cannot clean/);
    const k6 = await run(
      'script.js',
      k6Script(server.url, `export function teardown() { throw new Error('cannot clean'); }`),
    );
    assertFailedAfterLoad(k6, /teardown\(\) failed: cannot clean/);
  });

  it('process.exit(0) in handleSummary(): NO-GO with results written (TypeScript plan and k6 script)', async () => {
    const ts = await run('plan.ts', tsPlan(server.url, 'handleSummary: () => { process.exit(0); },'));
    assertFailedAfterLoad(ts, /handleSummary\(\) failed: .*process\.exit\(0\)/);
    const k6 = await run(
      'script.js',
      k6Script(server.url, 'export function handleSummary() { process.exit(0); }'),
    );
    // A k6 script's realm has no process: the call fails as k6's would.
    assertFailedAfterLoad(k6, /handleSummary\(\) failed: .*process is not defined/);
  });
});
