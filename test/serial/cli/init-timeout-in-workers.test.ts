/**
 * An endless loop in init code that runs only in the load workers ends at LOADPROOF_INIT_TIMEOUT,
 * named as a worker's. Serial (see DEVELOPERS.md, "How tests run"): the same limit covers the
 * main thread's own load of the plan, which a busy machine can push past a few seconds (8 s here), and
 * the message then names the main thread instead.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LOOP, tsPlan } from '../../cli/hanging-plans.ts';
import { outsideDir, runCli, writePlan } from '../../helpers/cli.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

describe('user code that never yields, in the load workers', () => {
  it('an endless loop in init code that runs only in the load workers ends at LOADPROOF_INIT_TIMEOUT', async () => {
    const dir = outsideDir();
    const loopInWorkers = `import { workerData } from 'node:worker_threads';
if (workerData && typeof workerData === 'object' && 'index' in workerData) { ${LOOP} }`;
    const file = writePlan(dir, 'plan.ts', tsPlan(server.url, loopInWorkers, ''));
    const r = await runCli(['run', file, '--out', join(dir, 'out'), '--workers', '2'], {
      cwd: dir,
      env: { ...process.env, LOADPROOF_INIT_TIMEOUT: '8s' },
      timeoutMs: 40_000,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /plan\.ts: the plan's top-level code did not finish within 8s in a worker thread/);
  });
});
