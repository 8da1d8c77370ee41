/**
 * A sharded run on one machine: three shard processes started together (--start-at) against a
 * loopback server, then `loadproof merge`. The merged counts equal a single process's exactly,
 * thresholds are judged once on the sum, and a missing or doubled shard is never a GO.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResultsFile } from '../../src/results/types.ts';
import { outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { assertMatchesSchema } from '../helpers/schema.ts';

let server: Server;
let received = 0;
let target = '';
before(async () => {
  server = createServer((_req, res) => {
    received++;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

// 150 arrivals a second for 2 s: 300 in all. Each shard's part holds `count<200`; the sum does not.
const planSource = (url: string) => `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${url}',
  scenarios: {
    steady: {
      executor: 'constant-arrival-rate', rate: 150, duration: '2s', preAllocatedVUs: 30, maxVUs: 150,
      flow: async (vu) => { await vu.http.get('/item'); },
    },
  },
  thresholds: { http_reqs: ['count<200'], http_req_failed: ['rate<0.01'] },
});
`;

function missedOf(r: ResultsFile): number {
  const m = r.metrics.missed_arrivals;
  return m?.type === 'counter' ? m.count : 0;
}

describe('shards judged as one run', () => {
  let dir = '';
  let plan = '';
  const shardOut = (i: number) => join(dir, `shard-${i}`);
  const logs: string[] = [];
  let shardRequests = 0;

  before(async () => {
    dir = outsideDir();
    plan = writePlan(dir, 'plan.ts', planSource(target));
    const startAt = new Date(Date.now() + 25_000).toISOString();
    const runs = await Promise.all(
      [0, 1, 2].map((i) =>
        runCli(
          [
            'run',
            plan,
            '--shard',
            `${i}/3`,
            '--start-at',
            startAt,
            '--workers',
            '1',
            '--results-to',
            'stdout',
            '--out',
            shardOut(i),
          ],
          { cwd: dir, timeoutMs: 60_000 },
        ),
      ),
    );
    for (const [i, r] of runs.entries()) {
      assert.equal(r.code, 0, `shard ${i}: ${r.stderr}`);
      logs.push(r.stdout);
    }
  });

  it('each shard ran its third of the arrivals and is not judged alone', () => {
    const shards = [0, 1, 2].map((i) => readResults(shardOut(i)));
    // Each shard's arrivals: run, dropped when every VU was busy, or missed when the shard
    // started late (both only on a slow machine).
    assert.deepEqual(
      shards.map((s) => s.requests.total + s.droppedIterations + missedOf(s)),
      [100, 100, 100],
    );
    for (const s of shards) {
      assert.equal(s.verdict.status, 'SHARD');
      assertMatchesSchema(s);
      assert.deepEqual(s.thresholds, []);
      assert.equal(s.shard?.runId, shards[0]?.shard?.runId);
      assert.ok((s.shard?.startSkewMs ?? 1e9) < 1000, `start skew ${s.shard?.startSkewMs} ms`);
    }
    shardRequests = shards.reduce((n, s) => n + s.requests.total, 0);
    assert.equal(received, shardRequests);
  });

  it('merged: the counts of one run, and a threshold that held in every shard fails on the sum', async () => {
    const out = join(dir, 'merged');
    const r = await runCli(
      ['merge', ...[0, 1, 2].map((i) => join(shardOut(i), 'results.json')), '--out', out],
      {
        cwd: dir,
      },
    );
    assert.equal(r.code, 3, r.stderr);
    const m = readResults(out);
    assertMatchesSchema(m);
    assert.equal(m.requests.total, shardRequests);
    assert.equal(
      (m.scenarios.steady?.iterations ?? 0) + m.droppedIterations + missedOf(m),
      300,
      'every arrival of the plan',
    );
    assert.equal(m.verdict.status, 'NO-GO');
    const count = m.thresholds.find((t) => t.metric === 'http_reqs');
    assert.equal(count?.actual, shardRequests);
    assert.ok(shardRequests >= 200, `${shardRequests} requests: enough to fail count<200`);
    assert.equal(count?.level, 'FAIL');
    assert.equal(m.thresholds.find((t) => t.metric === 'http_req_failed')?.level, 'PASS');
    assert.equal(m.shards?.length, 3);
    assert.equal(
      m.timeline.reduce((n, p) => n + p.requests, 0),
      shardRequests,
      'the merged seconds hold every request',
    );
    assert.ok(m.histograms.http_req_duration, 'the merged histogram is kept for further merges');
  });

  it("merged from the shards' logs (the framed results lines) gives the same figures", async () => {
    const logFiles = logs.map((text, i) => {
      const path = join(dir, `shard-${i}.log`);
      writeFileSync(path, `some log line\n${text}`);
      return path;
    });
    const out = join(dir, 'from-logs');
    const r = await runCli(['merge', ...logFiles, '--out', out], { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    assert.equal(readResults(out).requests.total, shardRequests);
  });

  it('a missing shard: INCOMPLETE, exit 4, never GO', async () => {
    const out = join(dir, 'incomplete');
    const r = await runCli(
      ['merge', join(shardOut(0), 'results.json'), join(shardOut(2), 'results.json'), '--out', out],
      {
        cwd: dir,
      },
    );
    assert.equal(r.code, 4, r.stderr);
    const m = readResults(out);
    assert.equal(m.verdict.status, 'INCOMPLETE');
    assertMatchesSchema(m);
    assert.match(m.verdict.reasons[0] ?? '', /missing shard 1\/3:2\/3/);
  });

  it('refused before anything is written: a shard given twice, a run that is not a shard, an unreadable file', async () => {
    const out = join(dir, 'refused');
    const twice = await runCli(
      ['merge', join(shardOut(1), 'results.json'), join(shardOut(1), 'results.json'), '--out', out],
      { cwd: dir },
    );
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /segment 1\/3:2\/3 is given twice/);
    const single = join(dir, 'single');
    mkdirSync(single);
    const plainRun = await runCli(['run', plan, '--workers', '1', '--out', single], {
      cwd: dir,
    });
    assert.equal(plainRun.code, 3, plainRun.stderr);
    const notShard = await runCli(['merge', join(single, 'results.json'), '--out', out], { cwd: dir });
    assert.equal(notShard.code, 2);
    assert.match(notShard.stderr, /not a shard's results/);
    const missing = await runCli(['merge', join(dir, 'nope.json'), '--out', out], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.json: cannot read/);
  });

  it('bad shard flags are refused with the flag named, exit 2', async () => {
    for (const [flags, message] of [
      [['--shard', '3/2'], /--shard 3\/2: the index counts from 0/],
      [['--shard', '0/0'], /--shard 0\/0: the count must be at least 1/],
      [['--shard', '0/2'], /a shard needs --start-at or --run-id/],
      [['--shard', '0/2', '--start-at', 'tomorrow'], /--start-at: expected an ISO time/],
      [
        ['--shard', '0/2', '--start-at', new Date(Date.now() - 3_600_000).toISOString()],
        /in the past, longer than the plan runs/,
      ],
      [['--shard', '199/200', '--run-id', 'x'], /leaves shard 199\/200:1 without a VU/],
    ] as const) {
      const r = await runCli(['run', plan, ...flags, '--out', join(dir, 'bad')], { cwd: dir });
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
});
