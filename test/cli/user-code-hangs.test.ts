/**
 * User code that never yields cannot hang a run: a plan's top level and k6 init code have a time
 * limit of their own (LOADPROOF_INIT_TIMEOUT), setup() and teardown() theirs (setupTimeout,
 * teardownTimeout), and SIGTERM ends a run stuck in any of them within seconds. The same limit in
 * the load workers is tested in test/serial/cli/init-timeout-in-workers.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, type CliRun, hasResults, outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { LOOP, tsPlan } from './hanging-plans.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const k6Script = (target: string, init: string, rest: string) => `import http from 'k6/http';
${init}
export default function () { http.get('${target}/hello'); }
${rest}
`;

const env = (extra: Record<string, string>) => ({ ...process.env, ...extra });

/** Runs the CLI; sends SIGTERM once its stderr matches `when`; `endedMs` counts from the signal. */
function runAndSignal(
  args: string[],
  cwd: string,
  when: RegExp,
  signals = 1,
): Promise<CliRun & { endedMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalledAt: number | undefined;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (signalledAt === undefined && when.test(stderr)) {
        signalledAt = Date.now();
        child.kill('SIGTERM');
        for (let i = 1; i < signals; i++) setTimeout(() => child.kill('SIGTERM'), 500 * i);
      }
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr, endedMs: signalledAt === undefined ? -1 : Date.now() - signalledAt });
    });
  });
}

describe('user code that never yields', () => {
  it('an endless loop at a TypeScript plan top level ends at LOADPROOF_INIT_TIMEOUT', async () => {
    const dir = outsideDir();
    const file = writePlan(dir, 'plan.ts', tsPlan(server.url, LOOP, ''));
    const r = await runCli(['run', file, '--out', join(dir, 'out')], {
      cwd: dir,
      env: env({ LOADPROOF_INIT_TIMEOUT: '2s' }),
      timeoutMs: 40_000,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /plan\.ts: the plan's top-level code did not finish within 2s \(LOADPROOF_INIT_TIMEOUT\)/,
    );
  });

  it('an endless loop in k6 init code ends at LOADPROOF_INIT_TIMEOUT', async () => {
    const dir = outsideDir();
    const file = writePlan(dir, 'script.js', k6Script(server.url, LOOP, ''));
    const r = await runCli(['run', file, '--out', join(dir, 'out')], {
      cwd: dir,
      env: env({ LOADPROOF_INIT_TIMEOUT: '2s' }),
      timeoutMs: 40_000,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /script\.js: the plan's top-level code did not finish within 2s/);
  });

  it("an endless loop in setup() ends at the plan's setupTimeout (TypeScript plan and k6 script), no load sent", async () => {
    const before = server.counts.get('/hello') ?? 0;
    const dir = outsideDir();
    const ts = writePlan(
      dir,
      'plan.ts',
      tsPlan(server.url, '', `setupTimeout: '2s', setup: () => { ${LOOP} },`),
    );
    const r = await runCli(['run', ts, '--out', join(dir, 'out')], { cwd: dir, timeoutMs: 40_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /setup\(\) failed: setup\(\) did not finish within 2s/);
    const k6 = writePlan(
      dir,
      'script.js',
      k6Script(
        server.url,
        `export const options = { setupTimeout: '2s' };`,
        `export function setup() { ${LOOP} }`,
      ),
    );
    const k = await runCli(['run', k6, '--out', join(dir, 'out-k6')], { cwd: dir, timeoutMs: 40_000 });
    assert.equal(k.code, 2, k.stderr);
    assert.match(k.stderr, /setup\(\) failed: setup\(\) did not finish within 2s/);
    assert.equal((server.counts.get('/hello') ?? 0) - before, 0);
    // No verdict: at most the marker a run writes when it starts (it never finished).
    assert.equal(hasResults(join(dir, 'out')), false);
    assert.equal(hasResults(join(dir, 'out-k6')), false);
  });

  it('an endless loop in teardown() ends at teardownTimeout: NO-GO, results written', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      tsPlan(server.url, '', `teardownTimeout: '2s', teardown: () => { ${LOOP} },`),
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out], { cwd: dir, timeoutMs: 40_000 });
    assert.equal(r.code, 3, r.stderr);
    const results = readResults(out);
    assert.equal(results.verdict.status, 'NO-GO');
    assert.equal(results.requests.total, 5);
    assert.ok(
      results.verdict.reasons.includes('teardown() failed: teardown() did not finish within 2s'),
      results.verdict.reasons.join('; '),
    );
  });

  it('SIGTERM ends a run stuck at its top level, or in setup(), within seconds', async () => {
    const dir = outsideDir();
    const top = writePlan(dir, 'top.ts', tsPlan(server.url, `console.error('loading'); ${LOOP}`, ''));
    const t = await runAndSignal(['run', top, '--out', join(dir, 'out-top')], dir, /loading/);
    assert.notEqual(t.code, 0, t.stderr);
    assert.notEqual(t.code, null, 'killed by the test: SIGTERM did not end it');
    assert.ok(t.endedMs >= 0 && t.endedMs < 10_000, `ended ${t.endedMs} ms after SIGTERM`);

    const setup = writePlan(
      dir,
      'setup.ts',
      tsPlan(server.url, '', `setup: () => { console.error('in setup'); ${LOOP} },`),
    );
    const s = await runAndSignal(['run', setup, '--out', join(dir, 'out-setup')], dir, /in setup/);
    assert.notEqual(s.code, 0, s.stderr);
    assert.notEqual(s.code, null, 'killed by the test: SIGTERM did not end it');
    assert.ok(s.endedMs >= 0 && s.endedMs < 10_000, `ended ${s.endedMs} ms after SIGTERM`);
    assert.match(s.stderr, /setup\(\) failed: setup\(\) stopped by signal \(SIGTERM\)/);
  });

  it('a second SIGTERM ends a teardown() that never yields: NO-GO, results written', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      tsPlan(server.url, '', `teardown: () => { console.error('in teardown'); ${LOOP} },`),
    );
    const out = join(dir, 'out');
    const r = await runAndSignal(['run', file, '--out', out], dir, /in teardown/, 2);
    assert.equal(r.code, 3, r.stderr);
    assert.ok(r.endedMs >= 0 && r.endedMs < 10_000, `ended ${r.endedMs} ms after the first SIGTERM`);
    const results = readResults(out);
    assert.equal(results.verdict.status, 'NO-GO');
    assert.equal(results.requests.total, 5);
    const reasons = results.verdict.reasons.join('; ');
    assert.match(reasons, /teardown\(\) failed: teardown\(\) stopped by signal \(SIGTERM\)/);
  });
});
