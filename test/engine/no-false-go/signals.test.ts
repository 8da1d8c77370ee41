/**
 * Signals: at any moment (while the plan loads, while the workers start, during the load) a run
 * stops, says so and writes what it measured. Each runs the real CLI against a loopback server.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, type CliRun, outsideDir, readResults, writePlan } from '../../helpers/cli.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { plan } from './plan.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

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
