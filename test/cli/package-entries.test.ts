/**
 * A plan outside the repository imports loadproof's subpath entries (`loadproof/checks`) the
 * same way it imports `loadproof`: resolved to this loadproof, installed beside it or not.
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

describe('package entries in a plan', () => {
  it("a plan importing 'loadproof/checks' runs", async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      `import { definePlan } from 'loadproof';
import { sqlCheck } from 'loadproof/checks';
if (typeof sqlCheck !== 'function') throw new Error('sqlCheck missing');
export default definePlan({
  target: '${server.url}',
  scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 3, flow: async (vu) => { await vu.http.get('/hello'); } } },
});
`,
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readResults(out).requests.total, 3);
  });
});
