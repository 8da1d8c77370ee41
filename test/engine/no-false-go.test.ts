/**
 * A verdict counts every request it sent, and a run never hangs: unanswered requests, flows that
 * throw, exit, or never yield, signals, and an --out that cannot be written. Each runs the real
 * CLI against a loopback server.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, type CliRun, outsideDir, readResults, runCli, runProcess, writePlan } from '../helpers/cli.ts';
import { assertMatchesSchema } from '../helpers/schema.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const plan = (target: string, scenario: string, extra = '') => `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  scenarios: { main: { ${scenario} } },
  ${extra}
});
`;

/**
 * Runs the CLI and sends it `signals`, each once the server has received that many requests;
 * `endedMs` is how long after the first signal the CLI ended.
 */
function runWithSignals(
  args: string[],
  cwd: string,
  signals: [NodeJS.Signals, number][],
): Promise<CliRun & { endedMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const base = server.total();
    const pending = [...signals];
    let firstSignalAt: number | undefined;
    const poll = setInterval(() => {
      const next = pending[0];
      // Signals are not queued: a second one sent before the first was handled would be one signal.
      // Each after the first waits until the run said it is stopping.
      const heard = firstSignalAt === undefined || stderr.includes('a second signal stops at once');
      if (next && heard && server.total() - base >= next[1]) {
        pending.shift();
        firstSignalAt ??= Date.now();
        child.kill(next[0]);
      }
    }, 50);
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(kill);
      resolve({ code, stdout, stderr, endedMs: Date.now() - (firstSignalAt ?? Number.NaN) });
    });
  });
}

/** Runs the CLI and sends it `signal` once the plan has written `marker` (it got that far). */
async function signalOnMarker(
  args: string[],
  cwd: string,
  marker: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const started = Date.now();
  while (!existsSync(marker) && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 20));
  child.kill(signal);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  return { code, stderr };
}

describe('every request sent is counted', () => {
  let halfMute: Server;
  let url: string;
  let received = 0;
  let unanswered = 0;
  before(async () => {
    // Answers every second request it receives; the others never get a byte back.
    halfMute = createServer((_req, res) => {
      received++;
      if (received % 2 === 0) {
        unanswered++;
        return;
      }
      res.end('ok');
    });
    await new Promise<void>((r) => halfMute.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(halfMute.address() as AddressInfo).port}`;
  });
  after(() => {
    halfMute.closeAllConnections();
    return new Promise<void>((r) => halfMute.close(() => r()));
  });

  it('requests left unanswered are ABORTED at the stop, counted as failed, and the default thresholds give NO-GO', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        url,
        `executor: 'constant-arrival-rate', rate: 20, duration: '2s', maxVUs: 60, gracefulStop: '1s',
        flow: async (vu) => { await vu.http.get('/'); }`,
      ),
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out, '--workers', '1'], { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    const res = readResults(out);
    assertMatchesSchema(res);
    assert.equal(res.requests.total, received, 'every request the server received is in the metrics');
    assert.equal(res.requests.errors.ABORTED, unanswered);
    assert.equal(res.requests.byStatus['200'], received - unanswered);
    assert.ok(unanswered >= 15, `half of 40 requests unanswered, got ${unanswered}`);
    assert.equal(res.verdict.status, 'NO-GO');
    const failed = res.thresholds.find((t) => t.metric === 'http_req_failed');
    assert.equal(failed?.isDefault, true);
    assert.equal(failed?.level, 'FAIL');
    assert.match(r.stdout, /requests? cut off unanswered when the run stopped \(ABORTED/);
    assert.match(r.stdout, /default threshold http_req_failed rate<0\.01 failed/);
  });
});

describe('default thresholds', () => {
  it('a plan without thresholds whose flow checks and iterations fail is NO-GO, each reported', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `executor: 'shared-iterations', vus: 2, iterations: 20,
        flow: async (vu) => {
          const res = await vu.http.get('/hello');
          vu.check('odd iteration', () => vu.scenarioIteration % 2 === 1);
          if (vu.scenarioIteration % 4 === 0) throw new Error('flow broke');
          return res;
        }`,
      ),
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out, '--workers', '1'], { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    const res = readResults(out);
    const levels = Object.fromEntries(res.thresholds.map((t) => [t.metric, [t.level, t.isDefault]]));
    assert.deepEqual(levels, {
      http_req_failed: ['PASS', true],
      checks: ['FAIL', true],
      iteration_failed: ['FAIL', true],
    });
    assert.match(r.stdout, /5 iterations ended in an exception of the flow \(25\.00% of iterations\)/);
    assert.match(r.stdout, /loadproof's defaults/);
  });

  it('`thresholds: {}` says no thresholds on purpose: GO however the requests went', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `executor: 'shared-iterations', vus: 1, iterations: 5, flow: async (vu) => { await vu.http.get('/status/500'); }`,
        'thresholds: {},',
      ),
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readResults(out).thresholds, []);
  });
});

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
    const started = Date.now();
    const r = await runCli(['run', file, '--out', out, '--workers', '1'], { cwd: dir, timeoutMs: 30_000 });
    assert.equal(r.code, 3, r.stderr);
    assert.ok(Date.now() - started < 20_000, 'ended by itself, not by the test');
    const res = readResults(out);
    assert.match(
      res.workerFailures?.[0] ?? '',
      /worker 0 did not stop within gracefulStop and was terminated: a flow is stuck \(scenario main, iteration 14\)/,
    );
    // The stuck thread cannot hand over its last second; the seconds before it are kept.
    assert.ok(res.requests.total >= 5 && res.requests.total <= 15, `requests kept: ${res.requests.total}`);
  });
});

describe('signals', () => {
  const longPlan = (dir: string, flow: string) =>
    writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `executor: 'constant-vus', vus: 2, duration: '60s', gracefulStop: '30s', flow: ${flow}`,
      ),
    );

  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} stops gracefully as SIGINT does, named in the reason`, async () => {
      const dir = outsideDir();
      const file = longPlan(dir, `async (vu) => { await vu.http.get('/hello'); await vu.sleep(0.05); }`);
      const out = join(dir, 'out');
      const r = await runWithSignals(['run', file, '--out', out, '--workers', '1'], dir, [[signal, 10]]);
      assert.equal(r.code, 3, r.stderr);
      const res = readResults(out);
      assert.equal(res.interrupted, true);
      assert.equal(res.interruptReason, `stopped by signal (${signal})`);
      assert.ok(res.requests.total > 0);
    });
  }

  it('a signal while the plan loads stops at once: one line, exit 3, nothing sent', async () => {
    const dir = outsideDir();
    const marker = join(dir, 'loading');
    const file = writePlan(
      dir,
      'plan.ts',
      `import { writeFileSync } from 'node:fs';
import { definePlan } from 'loadproof';
writeFileSync(${JSON.stringify(marker)}, '');
await new Promise((r) => setTimeout(r, 20_000));
export default definePlan({
  target: '${server.url}',
  scenarios: { main: { executor: 'shared-iterations', vus: 1, iterations: 1, flow: async (vu) => { await vu.http.get('/never-sent'); } } },
});
`,
    );
    server.counts.clear();
    const started = Date.now();
    const { code, stderr } = await signalOnMarker(
      ['run', file, '--out', join(dir, 'out')],
      dir,
      marker,
      'SIGTERM',
    );
    assert.equal(code, 3, stderr);
    assert.ok(Date.now() - started < 15_000, 'not after the plan finished loading');
    assert.match(stderr, /stopped \(SIGTERM\) before any load was sent/);
    assert.equal(server.counts.get('/never-sent'), undefined);
  });

  it('a signal while the workers are still starting stops the run as soon as they are ready', async () => {
    const dir = outsideDir();
    const marker = join(dir, 'setup-done');
    const file = writePlan(
      dir,
      'plan.ts',
      `import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { definePlan } from 'loadproof';
// Workers take their time to load the plan: the signal comes while they do.
if (!isMainThread) await new Promise((r) => setTimeout(r, 3000));
export default definePlan({
  target: '${server.url}',
  setup: () => { writeFileSync(${JSON.stringify(marker)}, ''); },
  scenarios: { main: { executor: 'constant-vus', vus: 1, duration: '60s', flow: async (vu) => { await vu.http.get('/hello'); await vu.sleep(0.1); } } },
});
`,
    );
    const out = join(dir, 'out');
    const started = Date.now();
    const { code, stderr } = await signalOnMarker(
      ['run', file, '--out', out, '--workers', '1'],
      dir,
      marker,
      'SIGINT',
    );
    assert.equal(code, 3, stderr);
    assert.ok(Date.now() - started < 25_000, 'not the 60 s of the plan');
    const res = readResults(out);
    assert.equal(res.interrupted, true);
    assert.equal(res.interruptReason, 'stopped by signal (SIGINT)');
  });

  // Two workers: the case that once exited 1 with nothing saved.
  for (const workers of ['1', '2']) {
    it(`a second signal stops at once and still writes what was collected, marked interrupted (${workers} worker(s))`, async () => {
      const dir = outsideDir();
      // Stuck for good after a few requests: only the second signal can end this run early.
      const file = longPlan(
        dir,
        `async (vu) => { await vu.http.get('/hello'); if (vu.scenarioIteration === 59) for (;;) {} await vu.sleep(0.05); }`,
      );
      const out = join(dir, 'out');
      const r = await runWithSignals(['run', file, '--out', out, '--workers', workers], dir, [
        ['SIGINT', 60],
        ['SIGINT', 60],
      ]);
      assert.equal(r.code, 3, r.stderr);
      // gracefulStop is 30 s: the stuck flow would hold a run that waited for it that long.
      assert.ok(
        r.endedMs < 20_000,
        `stopped at once, not after gracefulStop: ${r.endedMs} ms after the first signal`,
      );
      const res = readResults(out);
      assert.equal(res.interrupted, true);
      assert.match(
        res.interruptReason ?? '',
        /stopped by signal \(SIGINT\); then stopped at once by a second signal/,
      );
      assert.ok(res.requests.total >= 20, `the seconds before the loop are kept: ${res.requests.total}`);
    });
  }
});

describe('--out', () => {
  /** A plan that would request /never-sent, in a folder with a regular file to put outputs under. */
  function planBesideAFile() {
    const dir = outsideDir();
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `executor: 'shared-iterations', vus: 1, iterations: 3, flow: async (vu) => { await vu.http.get('/never-sent'); }`,
      ),
    );
    server.counts.clear();
    return { dir, blocker, file };
  }

  it('a folder that cannot be written is an error before any load is sent (exit 2)', async () => {
    const { dir, blocker, file } = planBesideAFile();
    const r = await runCli(['run', file, '--out', join(blocker, 'out')], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--out .*a-file\/out: cannot write results there \(ENOTDIR/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(server.counts.get('/never-sent'), undefined, 'no load was sent');
    assert.equal(existsSync(join(blocker, 'out')), false);
  });

  it('--out json=, --out csv= and --summary-export that cannot be written: exit 2 before any load, the flag named', async () => {
    const { dir, blocker, file } = planBesideAFile();
    const cases: [string[], RegExp][] = [
      [
        ['--out', `json=${join(blocker, 's.ndjson')}`],
        /--out json=.*a-file\/s\.ndjson: cannot write there \(ENOTDIR: not a directory/,
      ],
      [
        ['--out', `csv=${join(blocker, 's.csv')}`],
        /--out csv=.*a-file\/s\.csv: cannot write there \(ENOTDIR: not a directory/,
      ],
      [
        ['--summary-export', join(blocker, 's.json')],
        /--summary-export .*a-file: cannot write results there \(EEXIST: file already exists/,
      ],
    ];
    for (const [flags, message] of cases) {
      const r = await runCli(['run', file, '--out', join(dir, 'out'), ...flags], { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.equal(server.counts.get('/never-sent'), undefined, 'no load was sent');
  });

  it('a read-only folder, for a user held to its mode: an error before any load is sent (exit 2)', async () => {
    const dir = outsideDir();
    const readOnly = join(dir, 'read-only');
    mkdirSync(readOnly, { mode: 0o555 });
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `executor: 'shared-iterations', vus: 1, iterations: 3, flow: async (vu) => { await vu.http.get('/never-sent'); }`,
      ),
    );
    server.counts.clear();
    const args = [BIN, 'run', file, '--out', join(readOnly, 'out')];
    // Root writes anywhere: drop the capabilities that override file permissions, so root is held
    // to the folder's mode like any user, and still reaches the project wherever it is cloned.
    const r =
      process.getuid?.() === 0
        ? await runProcess(
            'setpriv',
            ['--bounding-set=-dac_override,-dac_read_search,-fowner', process.execPath, ...args],
            { cwd: dir },
          )
        : await runProcess(process.execPath, args, { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--out .*read-only\/out: cannot write results there \(EACCES: permission denied/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(server.counts.get('/never-sent'), undefined, 'no load was sent');
  });
});
