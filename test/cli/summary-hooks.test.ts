/**
 * `--summary-export FILE` and a plan's `handleSummary(results)` (k6's model): files written where
 * the hook says, its `stdout` in place of the printed summary, a failing hook reported.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const plan = (target: string, hook: string) => `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 10, flow: async (vu) => { await vu.http.get('/hello'); } } },
  ${hook}
});
`;

describe('summary hooks', () => {
  it('handleSummary writes its files and its stdout replaces the summary; --summary-export writes results.json', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `handleSummary: (r) => ({
          stdout: 'requests: ' + r.requests.total + ', verdict ' + r.verdict.status + '\\n',
          'reports/summary.json': JSON.stringify({ p95: r.metrics.http_req_duration.p95 }),
        }),`,
      ),
    );
    const out = join(dir, 'out');
    const r = await runCli(
      ['run', file, '--out', out, '--summary-export', join(dir, 'export', 'summary.json')],
      {
        cwd: dir,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^requests: 10, verdict GO\n/);
    assert.doesNotMatch(r.stdout, /thresholds/, 'the default summary is replaced');
    const results = readResults(out);
    const written = JSON.parse(readFileSync(join(dir, 'reports', 'summary.json'), 'utf8'));
    const d = results.metrics.http_req_duration;
    assert.equal(written.p95, d?.type === 'trend' ? d.p95 : undefined);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'export', 'summary.json'), 'utf8')), results);
  });

  it('a handleSummary that throws is a failed hook: NO-GO, the reason in results.json, the default summary stands', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      plan(server.url, `handleSummary: () => { throw new Error('no template'); },`),
    );
    const r = await runCli(['run', file, '--out', join(dir, 'out')], { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /warning: handleSummary\(\) failed: no template; the default summary is printed/);
    assert.match(r.stdout, /verdict: NO-GO/);
    const results = readResults(join(dir, 'out'));
    assert.equal(results.verdict.status, 'NO-GO');
    assert.ok(
      results.verdict.reasons.includes('handleSummary() failed: no template'),
      results.verdict.reasons.join('; '),
    );
  });
});
