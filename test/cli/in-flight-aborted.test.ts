/**
 * A run that stops at once still counts every request it cut off: 50 requests hanging on a server
 * that never answers end as ABORTED (failed requests) on a second signal, and the verdict is not
 * GO. A worker stuck in a loop cannot hand them over; the main thread counts them when it
 * terminates it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { type RawServer, startRawServer } from '../helpers/raw-server.ts';
import { assertMatchesSchema } from '../helpers/schema.ts';

let mute: RawServer;
before(async () => {
  // Reads every request and never answers one.
  mute = await startRawServer(() => {});
});
after(() => mute.close());

/**
 * Runs the CLI; SIGINT once `hanging` requests reached the server (and `marker` exists, when
 * given), a second SIGINT 500 ms later.
 */
function runAndSignalTwice(
  args: string[],
  cwd: string,
  hanging: number,
  marker?: string,
): Promise<{ code: number | null; stderr: string; endedMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let firstAt: number | undefined;
    const poll = setInterval(() => {
      if (mute.requests.length < hanging || (marker !== undefined && !existsSync(marker))) return;
      clearInterval(poll);
      firstAt = Date.now();
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGINT'), 500);
    }, 50);
    const kill = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(kill);
      resolve({ code, stderr, endedMs: Date.now() - (firstAt ?? Number.NaN) });
    });
  });
}

describe('a second signal while requests hang', () => {
  it('counts the requests in flight as ABORTED, failed, and the run is NO-GO', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${mute.url}',
  http: { timeout: '120s' },
  scenarios: {
    main: {
      executor: 'constant-vus', vus: 50, duration: '60s', gracefulStop: '60s',
      flow: async (vu) => { await vu.http.get('/hang'); },
    },
  },
});
`,
    );
    const out = join(dir, 'out');
    const before = mute.requests.length;
    const r = await runAndSignalTwice(['run', file, '--out', out, '--workers', '2'], dir, before + 50);
    assert.equal(r.code, 3, r.stderr);
    assert.ok(r.endedMs < 30_000, `stopped at once, not after gracefulStop: ${r.endedMs} ms`);
    const res = readResults(out);
    assertMatchesSchema(res);
    assert.equal(res.interrupted, true);
    assert.match(res.interruptReason ?? '', /then stopped at once by a second signal \(SIGINT\)/);
    const aborted = res.requests.errors.ABORTED ?? 0;
    assert.ok(aborted >= 50, `the 50 hanging requests are ABORTED: ${aborted}`);
    assert.equal(aborted, mute.requests.length - before, 'every request the server received is counted');
    assert.equal(res.requests.total, aborted);
    const failed = res.metrics.http_req_failed;
    assert.equal(failed?.type, 'rate');
    assert.equal(failed?.type === 'rate' ? failed.passes : -1, aborted, 'each counts as a failed request');
    assert.notEqual(res.verdict.status, 'GO');
    assert.equal(res.verdict.status, 'NO-GO');
  });

  it('a worker stuck in a loop cannot hand them over: its requests in flight still count as ABORTED', async () => {
    const dir = outsideDir();
    const stuck = join(dir, 'stuck');
    const file = writePlan(
      dir,
      'plan.ts',
      `import { writeFileSync } from 'node:fs';
import { definePlan } from 'loadproof';
export default definePlan({
  target: '${mute.url}',
  http: { timeout: '120s' },
  scenarios: {
    main: {
      executor: 'constant-vus', vus: 20, duration: '60s', gracefulStop: '60s',
      flow: async (vu) => {
        if (vu.id !== 1) return void (await vu.http.get('/hang'));
        await vu.sleep(0.5);
        writeFileSync(${JSON.stringify(stuck)}, '');
        for (;;) {}
      },
    },
  },
});
`,
    );
    const out = join(dir, 'out');
    const before = mute.requests.length;
    const r = await runAndSignalTwice(['run', file, '--out', out, '--workers', '1'], dir, before + 19, stuck);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /worker 0 ended with 19 request\(s\) in flight: counted as ABORTED/);
    const res = readResults(out);
    assertMatchesSchema(res);
    assert.equal(mute.requests.length - before, 19);
    assert.equal(res.requests.errors.ABORTED, 19);
    assert.equal(res.requests.total, 19);
    const failed = res.metrics.http_req_failed;
    assert.equal(failed?.type === 'rate' ? failed.passes : -1, 19);
    assert.equal(res.verdict.status, 'NO-GO');
  });
});

describe('a worker terminated as stuck', () => {
  it('without any signal, after gracefulStop: its requests in flight count as ABORTED too', async () => {
    const dir = outsideDir();
    const stuck = join(dir, 'stuck');
    const file = writePlan(
      dir,
      'plan.ts',
      `import { writeFileSync } from 'node:fs';
import { definePlan } from 'loadproof';
export default definePlan({
  target: '${mute.url}',
  http: { timeout: '120s' },
  scenarios: {
    main: {
      executor: 'per-vu-iterations', vus: 6, iterations: 1, maxDuration: '2s', gracefulStop: '1s',
      flow: async (vu) => {
        if (vu.id !== 1) return void (await vu.http.get('/hang'));
        await vu.sleep(0.5);
        writeFileSync(${JSON.stringify(stuck)}, '');
        for (;;) {}
      },
    },
  },
});
`,
    );
    const out = join(dir, 'out');
    const before = mute.requests.length;
    const r = await runCli(['run', file, '--out', out, '--workers', '1'], { cwd: dir, timeoutMs: 60_000 });
    assert.equal(r.code, 3, r.stderr);
    assert.ok(existsSync(stuck), 'the flow got stuck');
    assert.match(r.stderr, /worker 0 did not stop within gracefulStop and was terminated/);
    assert.match(r.stderr, /worker 0 ended with 5 request\(s\) in flight: counted as ABORTED/);
    const res = readResults(out);
    assert.equal(mute.requests.length - before, 5);
    assert.equal(res.requests.errors.ABORTED, 5);
    assert.equal(res.incomplete, true);
    assert.equal(res.verdict.status, 'NO-GO');
  });
});
