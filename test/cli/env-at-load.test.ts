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

describe('--env K=V', () => {
  it('is in process.env while the plan module is evaluated, in the main thread and in every worker', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      `import { definePlan } from 'loadproof';
const path = process.env.PROBE_PATH ?? '/default-path';
export default definePlan({
  target: process.env.TARGET ?? 'http://127.0.0.1:9',
  scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 6, flow: async (vu) => { await vu.http.get(path); } } },
});
`,
    );
    server.counts.clear();
    const out = join(dir, 'out');
    const r = await runCli(
      [
        'run',
        file,
        '--out',
        out,
        '--workers',
        '2',
        '--env',
        `TARGET=${server.url}`,
        '--env',
        'PROBE_PATH=/from-env',
      ],
      { cwd: dir },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(server.counts.get('/from-env'), 6, 'both workers read the flag while loading the plan');
    assert.equal(readResults(out).plan.target, server.url);
  });
});
