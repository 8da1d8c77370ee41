/**
 * `loadproof run` end to end: a real process, a real loopback server, real sockets.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { isTimingThreshold, reasonsOnAnyMachine } from '../helpers/machine-independent.ts';
import { assertMatchesSchema } from '../helpers/schema.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const issuePlan = (target: string, extra = '') => `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  scenarios: {
    main: {
      executor: 'constant-arrival-rate', rate: 200, duration: '2s', maxVUs: 50,
      flow: async (vu) => { await vu.http.get('/hello'); await vu.http.get('/status/409', { expect: [409] }); },
    },
  },
  thresholds: { http_req_duration: ['p(95)<100'], http_req_failed: ['rate<0.01'] ${extra} },
});
`;

describe('loadproof run', () => {
  it("runs the issue's plan from a folder without loadproof installed: counts match the server's, GO but for timing", async () => {
    server.counts.clear();
    const dir = outsideDir();
    const plan = writePlan(dir, 'plan.ts', issuePlan(server.url));
    const out = join(dir, 'out');
    const r = await runCli(['run', plan, '--out', out], { cwd: dir });
    // GO but for what a busy machine decides (latency, arrivals on time): see machine-independent.ts.
    assert.ok(r.code === 0 || r.code === 3, r.stderr);
    const res = readResults(out);
    assertMatchesSchema(res);
    assert.equal(res.schemaVersion, 1);
    assert.deepEqual(reasonsOnAnyMachine(res), []);
    assert.equal(res.workers, Math.max(1, availableParallelism() - 1), 'one core left to the local server');
    // 400 arrivals: each run, or dropped or missed when a busy machine is late.
    const missed = (res.metrics.missed_arrivals as { count?: number } | undefined)?.count ?? 0;
    assert.equal(res.iterations + res.droppedIterations + missed, 400);
    const n = res.iterations;
    assert.equal(res.requests.total, 2 * n);
    assert.deepEqual(res.requests.byStatus, { '200': n, '409': n });
    assert.equal(res.requests.failed, 0, '409 was expected: not a failure');
    assert.equal(server.counts.get('/hello'), n);
    assert.equal(server.counts.get('/status/409'), n);
    const d = res.metrics.http_req_duration;
    assert.equal(d?.type, 'trend');
    if (d?.type === 'trend') {
      assert.equal(d.count, 2 * n);
      assert.ok(d.p50 > 0, `p50 ${d.p50} ms on loopback`);
      assert.ok(d.min <= d.p50 && d.p50 <= d.p95 && d.p95 <= d.p99 && d.p99 <= d.max);
    }
    assert.deepEqual(
      res.thresholds.map((t) => [
        t.metric,
        t.expression,
        isTimingThreshold(res, t) ? t.actual !== null : t.level,
      ]),
      [
        ['http_req_duration', 'p(95)<100', true],
        ['http_req_failed', 'rate<0.01', 'PASS'],
      ],
    );
    assert.deepEqual(
      res.scenarios.main?.endpoints.map((e) => [e.key, e.requests.total]),
      [
        ['GET /hello', n],
        ['GET /status/409', n],
      ],
    );
    assert.ok(res.timeline.length >= 2);
    assert.equal(
      res.timeline.reduce((a, p) => a + p.requests, 0),
      2 * n,
      'the per-second series adds up to the total',
    );
    assert.match(r.stdout, r.code === 0 ? /verdict: GO/ : /verdict: NO-GO/);
    assert.ok(res.histograms.http_req_duration, 'encoded histogram for merging');
  });

  it('a failed threshold is NO-GO with exit 3, naming the threshold', async () => {
    const dir = outsideDir();
    const plan = writePlan(dir, 'plan.ts', issuePlan(server.url, ", http_reqs: ['count>100000']"));
    const r = await runCli(['run', plan, '--out', dir, '--duration', '1s', '--quiet'], { cwd: dir });
    assert.equal(r.code, 3);
    assert.equal(r.stdout, '', '--quiet prints nothing');
    const res = readResults(dir);
    assert.equal(res.verdict.status, 'NO-GO');
    // Other reasons may join it on a busy machine (latency, arrivals it could not send in time).
    assert.ok(
      res.verdict.reasons.some((x) => /^threshold http_reqs count>100000 failed \(actual \d+\)$/.test(x)),
      res.verdict.reasons.join('; '),
    );
  });

  it('rejects an invalid plan before sending any load: exit 2, the field named', async () => {
    server.counts.clear();
    const dir = outsideDir();
    const plan = writePlan(dir, 'plan.ts', issuePlan(server.url).replace('rate: 200', 'rate: -200'));
    const r = await runCli(['run', plan, '--out', dir], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /scenarios\.main\.rate: expected a positive number/);
    assert.equal(server.total(), 0);
    assert.equal(existsSync(join(dir, 'results.json')), false);
  });

  it('rejects a malformed threshold and an unknown metric before any load', async () => {
    server.counts.clear();
    const dir = outsideDir();
    const plan = writePlan(
      dir,
      'plan.ts',
      issuePlan(server.url, ", nonsense: ['p(95)<1'], checks: ['rate>>1']"),
    );
    const r = await runCli(['run', plan], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /thresholds\["nonsense"\]: unknown metric "nonsense"/);
    assert.match(r.stderr, /thresholds\["checks"\]\[0\]: malformed threshold "rate>>1"/);
    assert.equal(server.total(), 0);
  });

  it('bad flags: exit 2 with a message', async () => {
    const dir = outsideDir();
    const plan = writePlan(dir, 'plan.ts', issuePlan(server.url));
    for (const args of [
      ['--workers', '0'],
      ['--duration', 'forever'],
      ['--env', 'NOVALUE'],
      ['--no-such-flag'],
    ]) {
      const r = await runCli(['run', plan, ...args], { cwd: dir });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.length > 0);
    }
    const missing = await runCli(['run', join(dir, 'missing.ts')], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /plan file not found/);
  });

  it('--rate on a closed-model plan conflicts: exit 2', async () => {
    const dir = outsideDir();
    const plan = writePlan(
      dir,
      'closed.ts',
      `export default { target: '${server.url}', scenarios: { c: { executor: 'constant-vus', vus: 2, duration: '1s', flow: async () => {} } } };`,
    );
    const r = await runCli(['run', plan, '--rate', '50'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--rate applies to arrival-rate scenarios; scenario "c" uses constant-vus/);
  });

  it('an unreachable target is a run with errors by code, not a crash', async () => {
    const dir = outsideDir();
    const closed = `http://127.0.0.1:1`;
    const plan = writePlan(dir, 'plan.ts', issuePlan(closed));
    const r = await runCli(['run', plan, '--out', dir, '--duration', '1s', '--workers', '1'], { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    const res = readResults(dir);
    assert.equal(res.requests.total, res.requests.errors.ECONNREFUSED);
    assert.ok(res.requests.total >= 190, `${res.requests.total} requests`);
    assert.equal(res.requests.failed, res.requests.total);
    assert.deepEqual(res.requests.byStatus, {});
  });

  it('a request past its timeout ends as ETIMEDOUT', async () => {
    const dir = outsideDir();
    const plan = writePlan(
      dir,
      'slow.ts',
      `export default { target: '${server.url}', scenarios: { s: { executor: 'shared-iterations', vus: 5, iterations: 5,
        flow: async (vu) => { const r = await vu.http.get('/delay/2000', { timeout: '200ms' }); vu.check('timed out', r, (x) => x.error === 'ETIMEDOUT' && x.status === 0); } } } };`,
    );
    const r = await runCli(['run', plan, '--out', dir, '--workers', '1'], { cwd: dir });
    // No thresholds: the defaults judge it, and every request failed; none got an answer, so the
    // run did not deliver its load either.
    assert.equal(r.code, 3, r.stderr);
    const res = readResults(dir);
    assert.deepEqual(res.verdict.reasons, [
      'default threshold http_req_failed rate<0.01 failed (actual 1)',
      'run validity maxAborted failed: requests that got no response 100% (5 of 5), limit <= 1%',
    ]);
    assert.deepEqual(res.requests.errors, { ETIMEDOUT: 5 });
    assert.deepEqual(res.flowChecks, { 'timed out': { passes: 5, fails: 0 } });
    const d = res.metrics.http_req_duration;
    assert.ok(d?.type === 'trend' && d.min >= 195 && d.max < 1000, JSON.stringify(d));
  });

  it('SIGINT stops gracefully: results.json written and marked interrupted', async () => {
    const dir = outsideDir();
    const plan = writePlan(dir, 'long.ts', issuePlan(server.url).replace("'2s'", "'60s'"));
    const started = Date.now();
    const before = server.total();
    // The signal comes once the load is flowing, however long the start took.
    const r = await runCli(['run', plan, '--out', dir], {
      cwd: dir,
      signalWhen: () => server.total() - before >= 200,
    });
    assert.ok(Date.now() - started < 20_000, 'stopped well before the 60 s plan would end');
    assert.equal(r.code, 3);
    const res = readResults(dir);
    assertMatchesSchema(res);
    assert.equal(res.interrupted, true);
    assert.equal(res.verdict.status, 'NO-GO');
    assert.match(res.verdict.reasons.join('\n'), /interrupted/);
    assert.ok(res.requests.total > 0);
    assert.equal(res.requests.errors.ABORTED, undefined, 'in-flight requests finished instead of being cut');
  });

  it('--help tells the commands and exit codes', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Exit codes: 0 GO, 3 NO-GO/);
    const run = await runCli(['run', '--help']);
    assert.equal(run.code, 0);
    for (const flag of ['--out', '--workers', '--duration', '--rate', '--vus', '--env', '--quiet'])
      assert.ok(run.stdout.includes(flag), flag);
  });
});
