/**
 * A run never hangs and never passes on a worker that exits, crashes, runs out of memory or is stuck:
 * each is NO-GO, named. Each runs the real CLI against a loopback server.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outsideDir, readResults, runCli, writePlan } from '../../helpers/cli.ts';
import { assertMatchesSchema } from '../../helpers/schema.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { plan } from './plan.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

describe('a worker that exits, crashes or is stuck', () => {
  it('process.exit() in a flow with one worker: NO-GO, the results are written and marked incomplete', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `executor: 'shared-iterations', vus: 1, iterations: 50,
        flow: async (vu) => { await vu.http.get('/hello'); if (vu.scenarioIteration === 9) process.exit(0); }`,
      ),
    );
    const out = join(dir, 'out');
    server.counts.clear();
    const r = await runCli(['run', file, '--out', out, '--workers', '1'], { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    const res = readResults(out);
    assertMatchesSchema(res);
    assert.equal(res.incomplete, true);
    // The worker's last part-second is handed over as it exits: its requests are not lost.
    assert.equal(server.counts.get('/hello'), 10);
    assert.equal(res.requests.total, 10, 'every request the exited worker sent is counted');
    assert.match(
      res.workerFailures?.[0] ?? '',
      /worker 0 exited \(code 0\) before its share of the load finished/,
    );
    assert.equal(res.verdict.status, 'NO-GO');
    assert.ok(res.verdict.reasons.some((x) => x.startsWith('incomplete run: worker 0')));
    assert.match(r.stdout, /INCOMPLETE: worker 0 exited/);
  });

  it('with two workers, one that exits ends the run NO-GO, and what the other measured is kept', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `executor: 'constant-vus', vus: 2, duration: '3s',
        flow: async (vu) => { await vu.http.get('/hello'); await vu.sleep(0.05); if (vu.id === 2 && vu.iteration === 3) process.exit(7); }`,
      ),
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out, '--workers', '2'], { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    const res = readResults(out);
    assert.equal(res.incomplete, true);
    assert.equal(res.workerFailures?.length, 1);
    assert.match(res.workerFailures?.[0] ?? '', /exited \(code 7\)/);
    assert.ok(res.requests.total >= 4, `the requests before the exit are kept: ${res.requests.total}`);
    assert.equal(res.interrupted, true, 'the other worker was stopped: the plan did not run to its end');
  });

  it('an exception thrown outside the flow (an unhandled rejection) crashes its worker: NO-GO naming the error', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `executor: 'shared-iterations', vus: 1, iterations: 20,
        flow: async (vu) => { await vu.http.get('/hello'); if (vu.scenarioIteration === 2) Promise.reject(new Error('nobody awaited me')); }`,
      ),
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out, '--workers', '1'], { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    assert.match(readResults(out).workerFailures?.[0] ?? '', /worker 0 crashed: nobody awaited me/);
  });

  it('a worker that runs out of memory ends the run NO-GO, named (LOADPROOF_WORKER_HEAP_MB caps its heap)', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `executor: 'shared-iterations', vus: 1, iterations: 20,
        flow: async (vu) => {
          await vu.http.get('/hello');
          if (vu.scenarioIteration === 2) { const hoard = []; for (;;) hoard.push(new Array(100_000).fill(vu.id)); }
        }`,
      ),
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out, '--workers', '1'], {
      cwd: dir,
      env: { ...process.env, LOADPROOF_WORKER_HEAP_MB: '64' },
    });
    assert.equal(r.code, 3, r.stderr);
    assert.match(readResults(out).workerFailures?.[0] ?? '', /worker 0 crashed: .*memory limit/);
  });

  it('a flow stuck in a synchronous loop is terminated after gracefulStop, naming its scenario and iteration', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `executor: 'constant-vus', vus: 1, duration: '3s', gracefulStop: '1s',
        flow: async (vu) => { await vu.http.get('/hello'); await vu.sleep(0.1); if (vu.scenarioIteration === 14) for (;;) {} }`,
      ),
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out, '--workers', '1'], { cwd: dir, timeoutMs: 60_000 });
    assert.equal(r.code, 3, r.stderr);
    // The test's timeout kills with SIGKILL (no exit code): an exit code is a run that ended by itself.
    assert.notEqual(r.code, null, 'ended by itself, not by the test');
    const res = readResults(out);
    assert.match(
      res.workerFailures?.[0] ?? '',
      /worker 0 did not stop within gracefulStop and was terminated: a flow is stuck \(scenario main, iteration 14\)/,
    );
    // The stuck thread cannot hand over its last second; the seconds before it are kept.
    assert.ok(res.requests.total >= 5 && res.requests.total <= 15, `requests kept: ${res.requests.total}`);
  });
});
