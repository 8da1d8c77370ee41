/**
 * A GO means the planned load was delivered: the run-validity criteria judged beside the plan's
 * thresholds, through the real CLI against loopback servers. Dropped arrivals, unanswered
 * requests, a run that sent nothing and a shard that started late are each NO-GO (exit 3) with
 * the criterion named; a plan that loosens a criterion by name is GO and says so in every output.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResultsFile } from '../../src/results/types.ts';
import { outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { assertMatchesSchema } from '../helpers/schema.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
/** Takes every request and never answers it. */
let mute: Server;
let muteUrl = '';
before(async () => {
  server = await startTestServer();
  mute = createServer(() => {});
  await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
  muteUrl = `http://127.0.0.1:${(mute.address() as AddressInfo).port}`;
});
after(async () => {
  mute.closeAllConnections();
  await new Promise<void>((r) => mute.close(() => r()));
  await server.close();
});

const planSource = (target: string, scenario: string, extra = '') => `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  scenarios: { main: { ${scenario} } },
  ${extra}
});
`;

async function run(
  source: string,
): Promise<{ code: number | null; stdout: string; out: string; r: ResultsFile }> {
  const dir = outsideDir();
  const file = writePlan(dir, 'plan.ts', source);
  const out = join(dir, 'out');
  const cli = await runCli(['run', file, '--out', out, '--workers', '1'], { cwd: dir });
  const r = readResults(out);
  assertMatchesSchema(r);
  return { code: cli.code, stdout: `${cli.stdout}\n${cli.stderr}`, out, r };
}

const criterion = (r: ResultsFile, name: string) => r.validity?.find((c) => c.name === name);

// 50 arrivals a second for 2 s on one VU whose iteration takes 200 ms: most arrivals are dropped.
const dropping = `executor: 'constant-arrival-rate', rate: 50, duration: '2s', preAllocatedVUs: 1, maxVUs: 1,
  flow: async (vu) => { await vu.http.get('/delay/200'); }`;

describe('run validity through the CLI', () => {
  it('arrivals dropped past 1% of the planned ones: NO-GO, exit 3, the criterion named', async () => {
    const { code, stdout, r } = await run(planSource(server.url, dropping));
    assert.equal(code, 3, stdout);
    assert.equal(r.verdict.status, 'NO-GO');
    assert.equal(r.scenarios.main?.plannedArrivals, 100);
    const c = criterion(r, 'maxMissedArrivals');
    assert.equal(c?.ok, false);
    assert.ok(r.droppedIterations > 50, `${r.droppedIterations} dropped`);
    assert.ok(r.verdict.reasons.some((x) => x.startsWith('run validity maxMissedArrivals failed')));
    assert.match(stdout, /FAIL\s+maxMissedArrivals/);
  });

  it('loosened by name: GO, and "loosened" in the console, results.json, HTML, Markdown and JUnit', async () => {
    const { code, stdout, out, r } = await run(
      planSource(server.url, dropping, "validity: { maxMissedArrivals: '100%' },"),
    );
    assert.equal(code, 0, stdout);
    assert.equal(r.verdict.status, 'GO');
    assert.equal(criterion(r, 'maxMissedArrivals')?.loosened, true);
    assert.match(stdout, /PASS\s+maxMissedArrivals \(loosened\)/);
    assert.match(stdout, /run validity maxMissedArrivals loosened by the plan/);
    assert.match(
      readFileSync(join(out, 'report.html'), 'utf8'),
      /maxMissedArrivals<\/code> \(loosened by the plan\)/,
    );
    assert.match(
      readFileSync(join(out, 'results.md'), 'utf8'),
      /`maxMissedArrivals` .*\(loosened by the plan\)/,
    );
    assert.match(
      readFileSync(join(out, 'junit.xml'), 'utf8'),
      /<testcase classname="[^"]*\.validity" name="run validity maxMissedArrivals \(loosened\)">/,
    );
  });

  it('60 of 60 requests unanswered with latency-only thresholds: NO-GO', async () => {
    const { code, stdout, r } = await run(
      planSource(
        muteUrl,
        `executor: 'shared-iterations', vus: 60, iterations: 60,
        flow: async (vu) => { await vu.http.get('/'); }`,
        "http: { timeout: '1s' }, thresholds: { http_req_duration: ['p(95)<60000'] },",
      ),
    );
    assert.equal(code, 3, stdout);
    assert.equal(r.requests.total, 60);
    assert.equal(
      r.thresholds.every((t) => t.ok),
      true,
      'the latency threshold alone holds',
    );
    const c = criterion(r, 'maxAborted');
    assert.equal(c?.ok, false);
    assert.equal(c?.actual, '100% (60 of 60)');
    assert.match(stdout, /run validity maxAborted failed/);
  });

  it('`rate: 1e-300` sends nothing: NO-GO on minRequests', async () => {
    const { code, stdout, r } = await run(
      planSource(
        server.url,
        `executor: 'constant-arrival-rate', rate: 1e-300, duration: '1s', maxVUs: 1,
        flow: async (vu) => { await vu.http.get('/hello'); }`,
      ),
    );
    assert.equal(code, 3, stdout);
    assert.equal(r.requests.total, 0);
    assert.equal(criterion(r, 'minRequests')?.ok, false);
    assert.match(stdout, /run validity minRequests failed: requests sent 0, limit >= 1/);
  });
});

describe('run validity of a merged run', () => {
  it('a shard that starts late misses its arrivals: the merge is NO-GO, naming the shard', async () => {
    const dir = outsideDir();
    // 24 arrivals a second for 10 s, in two shards; no thresholds, so only run validity judges. The
    // plan runs long enough that a shard slow to start on a busy machine is still let in.
    const plan = writePlan(
      dir,
      'plan.ts',
      planSource(
        server.url,
        `executor: 'constant-arrival-rate', rate: 24, duration: '10s', preAllocatedVUs: 10, maxVUs: 40,
        flow: async (vu) => { await vu.http.get('/hello'); }`,
        'thresholds: {},',
      ),
    );
    const startAtMs = Date.now() + 12_000;
    const startAt = new Date(startAtMs).toISOString();
    const shard = (i: number) =>
      runCli(
        [
          'run',
          plan,
          '--shard',
          `${i}/2`,
          '--start-at',
          startAt,
          '--workers',
          '1',
          '--out',
          join(dir, `s${i}`),
        ],
        { cwd: dir, timeoutMs: 60_000 },
      );
    const onTime = shard(1);
    // The other shard is started 2.5 s after the agreed instant: it misses what was due by then.
    await new Promise((r) => setTimeout(r, startAtMs + 2500 - Date.now()));
    const late = shard(0);
    for (const r of await Promise.all([onTime, late])) assert.equal(r.code, 0, r.stderr);

    const out = join(dir, 'merged');
    const m = await runCli(
      ['merge', join(dir, 's0', 'results.json'), join(dir, 's1', 'results.json'), '--out', out],
      { cwd: dir },
    );
    assert.equal(m.code, 3, m.stderr);
    const r = readResults(out);
    assertMatchesSchema(r);
    assert.deepEqual(r.thresholds, []);
    assert.equal(r.verdict.status, 'NO-GO');
    const planned = Object.values(r.scenarios).reduce((n, s) => n + (s.plannedArrivals ?? 0), 0);
    assert.equal(planned, 240, 'the shards planned the whole run between them');
    assert.equal(criterion(r, 'shardsOnTime')?.ok, false);
    assert.match(criterion(r, 'shardsOnTime')?.actual ?? '', /late: shard 0:1\/2 by \d+ ms/);
    assert.equal(criterion(r, 'maxMissedArrivals')?.ok, false, 'its missed arrivals count too');
    assert.match(m.stdout, /run validity shardsOnTime failed: .*shard 0:1\/2/);
  });
});
