/**
 * `loadproof merge` judges the plan the user named and refuses what is not one run: two real
 * shards (a quarter of the requests fail, against `rate<0.01`) are run once, then their files are
 * changed as a careless or hostile hand would: thresholds removed, another plan named, a second
 * run's start, a copy relabelled, corrupt fields, a gzip bomb in a log. Every refusal is exit 2
 * with the file and the field named, and no stack trace.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readShardInputs } from '../../src/cli/merge-command.ts';
import { InputFileError } from '../../src/errors.ts';
import type { ResultsFile } from '../../src/results/types.ts';
import { mergeShards } from '../../src/run/merge-shards.ts';
import { outsideDir, readResults, runCli, runProcess, writePlan } from '../helpers/cli.ts';
import { assertMatchesSchema } from '../helpers/schema.ts';

let server: Server;
let answered = 0;
let target = '';
before(async () => {
  // Every fourth request fails: 25% of them, far past the plan's rate<0.01.
  server = createServer((_req, res) => {
    res.statusCode = ++answered % 4 === 0 ? 500 : 200;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const planSource = (url: string, extraThresholds = '') => `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${url}',
  scenarios: {
    steady: {
      executor: 'constant-arrival-rate', rate: 20, duration: '2s', preAllocatedVUs: 10, maxVUs: 40,
      flow: async (vu) => { await vu.http.get('/item'); },
    },
  },
  thresholds: { http_req_failed: ['rate<0.01']${extraThresholds} },
});
`;

/** No line of a JavaScript stack trace: a refusal is one line, not a crash. */
const NO_STACK = /^\s+at /m;

describe('merge: the named plan judges, and what is not one run is refused', () => {
  let dir = '';
  let plan = '';
  const shards: ResultsFile[] = [];
  const texts: string[] = [];
  let written = 0;

  /** Shard i's results, changed by `change`, written to a file of its own. */
  const shardFile = (i: number, change: (r: ResultsFile) => void = () => {}) => {
    const r = JSON.parse(texts[i] as string) as ResultsFile;
    change(r);
    const path = join(dir, `shard-${i}-${++written}.json`);
    writeFileSync(path, JSON.stringify(r));
    return path;
  };
  const merge = (args: string[]) =>
    runCli(['merge', ...args, '--quiet', '--out', join(dir, `merged-${++written}`)], {
      cwd: dir,
      timeoutMs: 60_000,
    });
  const outOf = (args: string[]) => args[args.indexOf('--out') + 1] as string;

  before(async () => {
    dir = outsideDir();
    plan = writePlan(dir, 'plan.ts', planSource(target));
    const startAt = new Date(Date.now() + 15_000).toISOString();
    const runs = await Promise.all(
      [0, 1].map((i) =>
        runCli(
          ['run', plan, '--shard', `${i}/2`, '--start-at', startAt, '--workers', '1', '--quiet'].concat([
            '--out',
            join(dir, `shard-${i}`),
          ]),
          { cwd: dir, timeoutMs: 60_000 },
        ),
      ),
    );
    for (const [i, r] of runs.entries()) {
      assert.equal(r.code, 0, `shard ${i}: ${r.stderr}`);
      const text = readFileSync(join(dir, `shard-${i}`, 'results.json'), 'utf8');
      texts.push(text);
      const results = JSON.parse(text) as ResultsFile;
      assertMatchesSchema(results);
      // What the plan hash covers beside the file, for a merge given the plan to hash it alike.
      assert.deepEqual(results.shard?.hashedOptions, { overrides: {}, environment: null });
      shards.push(results);
    }
    const total = shards.reduce((n, s) => n + s.requests.total, 0);
    assert.ok(total >= 20, `${total} requests: enough for a quarter of them to fail`);
  });

  it('the shards as written, with their plan named: NO-GO on the plan’s threshold', async () => {
    const args = [shardFile(0), shardFile(1), '--plan', plan, '--out', join(dir, 'as-written')];
    const r = await runCli(['merge', ...args], { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    const m = readResults(outOf(args));
    assertMatchesSchema(m);
    assert.equal(m.thresholds.find((t) => t.metric === 'http_req_failed')?.level, 'FAIL');
    assert.deepEqual(m.verdict.warnings, []);
  });

  it('a shard file with its thresholds removed is refused, naming the file and the field', async () => {
    const cut = shardFile(1, (r) => {
      (r.shard as NonNullable<ResultsFile['shard']>).plan.thresholds = [];
    });
    const r = await merge([shardFile(0), cut]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(`${cut}: shard.plan.thresholds differ`), r.stderr);
    assert.doesNotMatch(r.stderr, NO_STACK);
  });

  it('thresholds removed from every shard: the named plan still judges (refused: the files were changed)', async () => {
    const cut = (r: ResultsFile) => {
      (r.shard as NonNullable<ResultsFile['shard']>).plan.thresholds = [];
    };
    const r = await merge([shardFile(0, cut), shardFile(1, cut), '--plan', plan]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /shard\.plan\.thresholds differ from those of --plan .*plan\.ts, whose hash the shards share/,
    );
    assert.doesNotMatch(r.stderr, NO_STACK);
  });

  it('another plan named: refused by its hash; judged with --plan-mismatch-ok, and every report says so', async () => {
    const other = writePlan(dir, 'other.ts', planSource(target, ", http_req_duration: ['p(99)<0.001']"));
    const files = [shardFile(0), shardFile(1)];
    const refused = await merge([...files, '--plan', other]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /--plan .*other\.ts: its plan hash [0-9a-f]{12} differs from the shards' [0-9a-f]{12}/,
    );
    assert.match(refused.stderr, /--plan-mismatch-ok/);
    assert.doesNotMatch(refused.stderr, NO_STACK);

    const args = [...files, '--plan', other, '--plan-mismatch-ok', '--out', join(dir, 'mismatch')];
    const judged = await runCli(['merge', ...args], { cwd: dir });
    assert.equal(judged.code, 3, judged.stderr);
    const out = outOf(args);
    const m = readResults(out);
    assert.equal(m.thresholds.find((t) => t.expression === 'p(99)<0.001')?.level, 'FAIL');
    assert.match(m.verdict.warnings.join('\n'), /not by the plan the shards ran .*--plan-mismatch-ok/);
    for (const report of ['results.md', 'junit.xml', 'report.html'])
      assert.match(readFileSync(join(out, report), 'utf8'), /--plan-mismatch-ok/, report);
    assert.match(judged.stdout, /--plan-mismatch-ok/, 'the console summary');
  });

  it('shards of two runs (one started 7 s later) are refused: one run has one start', async () => {
    const later = shardFile(1, (r) => {
      (r.shard as NonNullable<ResultsFile['shard']>).epochMs += 7_000;
    });
    const r = await merge([shardFile(0), later]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(`${later}: shard.epochMs:`), r.stderr);
    // The two shards' own planned starts may already differ by a millisecond or so.
    assert.match(r.stderr, /7\.0\d\d s after .*: these are two runs/);
    assert.doesNotMatch(r.stderr, NO_STACK);
  });

  it("a copy of shard 0's file relabelled as shard 1 is refused", async () => {
    const copy = shardFile(0, (r) => {
      const s = r.shard as NonNullable<ResultsFile['shard']>;
      s.segment = '1/2:1';
      s.position = 1;
    });
    const r = await merge([shardFile(0), copy]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(`${copy}: shard.metrics are identical to`), r.stderr);
    assert.doesNotMatch(r.stderr, NO_STACK);
  });

  /** A histogram snapshot whose payload skips 2^40 buckets, then counts one value. */
  const skipBomb = () => {
    const trends = (shards[0] as ResultsFile & { shard: Shard }).shard.metrics.trends;
    const real = Buffer.from((trends.http_req_duration as Record<string, string>)[''] as string, 'base64');
    const leb = (n: number) => {
      const out: number[] = [];
      while (n >= 128) {
        out.push((n % 128) | 0x80);
        n = Math.floor(n / 128);
      }
      out.push(n);
      return out;
    };
    const payload = Buffer.from([...leb(2 * 2 ** 40 - 1), ...leb(2)]);
    const header = Buffer.from(real.subarray(0, 40));
    header.writeInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]).toString('base64');
  };

  type Shard = NonNullable<ResultsFile['shard']>;
  const corrupt: [string, string, (r: ResultsFile & { shard: Shard }) => void][] = [
    ['metrics: null', 'shard.metrics', (r) => Object.assign(r.shard, { metrics: null })],
    ['seconds: null', 'shard.seconds', (r) => Object.assign(r.shard, { seconds: null })],
    ['durationMs: 1e18', 'durationMs', (r) => Object.assign(r, { durationMs: 1e18 })],
    ['epochMs: 0 (a 57-year run)', 'shard.epochMs', (r) => Object.assign(r.shard, { epochMs: 0 })],
    ['epochMs next year', 'shard.epochMs', (r) => Object.assign(r.shard, { epochMs: Date.now() + 4e10 })],
    [
      'a string counter',
      'shard.metrics.counters.http_reqs[""]',
      (r) => Object.assign(r.shard.metrics.counters.http_reqs as object, { '': '100' }),
    ],
    ['a negative request count', 'requests.total', (r) => Object.assign(r.requests, { total: -1 })],
    ['a fractional request count', 'requests.total', (r) => Object.assign(r.requests, { total: 1.5 })],
    [
      'a string second',
      'shard.seconds[0].run.requests',
      (r) => Object.assign(r.shard.seconds[0]?.run as object, { requests: 'x' }),
    ],
    [
      'seconds out of order',
      'shard.seconds[1].t',
      (r) => Object.assign(r.shard.seconds[1] as object, { t: 0 }),
    ],
    [
      'a histogram that is not one',
      'shard.metrics.trends.http_req_duration[""]',
      (r) => Object.assign(r.shard.metrics.trends.http_req_duration as object, { '': 'AAAAAAAA' }),
    ],
    [
      'a histogram of huge bucket skips',
      'shard.metrics.trends.http_req_duration[""]',
      (r) => Object.assign(r.shard.metrics.trends.http_req_duration as object, { '': skipBomb() }),
    ],
    [
      "a second's histogram of huge bucket skips",
      'shard.seconds[0].run.histogram',
      (r) =>
        Object.assign(r.shard.seconds.find((s) => s.run.histogram)?.run as object, { histogram: skipBomb() }),
    ],
    [
      'a histogram not in base64',
      'shard.seconds[0].run.histogram',
      (r) => Object.assign(r.shard.seconds[0]?.run as object, { histogram: '%%%' }),
    ],
    [
      'a segment that is not its position',
      'shard.segment',
      (r) => Object.assign(r.shard, { segment: '1/2:1' }),
    ],
    ['a plan hash that is none', 'shard.planHash', (r) => Object.assign(r.shard, { planHash: 'x' })],
    ['another record version', 'shard.version', (r) => Object.assign(r.shard, { version: 2 })],
    ['no workers', 'workers', (r) => Object.assign(r, { workers: 0 })],
    [
      'a check that is not one',
      'checks[0].ok',
      (r) => Object.assign(r, { checks: [{ name: 'c', ok: 'yes', runs: 1, failures: 0 }] }),
    ],
    [
      'a metric of no type',
      'shard.plan.metricTypes.http_reqs',
      (r) => Object.assign(r.shard.plan.metricTypes, { http_reqs: 'sum' }),
    ],
    ['a start skew of null', 'shard.startSkewMs', (r) => Object.assign(r.shard, { startSkewMs: null })],
  ];

  it('a table of corrupt fields: each refused (exit 2) naming the file and the field', async () => {
    for (const [what, field, change] of corrupt) {
      const files = [0, 1].map((i) => ({
        name: `shard-${i}.json`,
        results: JSON.parse(texts[i] as string) as ResultsFile & { shard: Shard },
      }));
      const bad = files[0] as (typeof files)[number];
      // A second's histogram is only in the first second that has one.
      if (field === 'shard.seconds[0].run.histogram' && !bad.results.shard.seconds[0]?.run.histogram)
        bad.results.shard.seconds = bad.results.shard.seconds.filter((s) => s.run.histogram);
      change(bad.results);
      await assert.rejects(
        mergeShards(files),
        (e: unknown) => {
          assert.ok(e instanceof InputFileError, `${what}: ${(e as Error).stack}`);
          assert.equal(e.exitCode, 2);
          assert.ok(e.message.startsWith(`shard-0.json: ${field}`), `${what}: ${e.message}`);
          return true;
        },
        what,
      );
    }
  });

  it('the same corrupt files through the CLI: exit 2, one line, no stack trace', async () => {
    for (const [what, field, change] of corrupt.slice(0, 6)) {
      const bad = shardFile(0, change as (r: ResultsFile) => void);
      const r = await merge([bad, shardFile(1)]);
      assert.equal(r.code, 2, `${what}: ${r.stderr}`);
      assert.ok(r.stderr.includes(`${bad}: ${field}`), `${what}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, NO_STACK, what);
    }
  });

  it('a threshold that does not parse, recorded alike in every shard, is refused naming the file and the field', async () => {
    const files = [0, 1].map((i) => {
      const results = JSON.parse(texts[i] as string) as ResultsFile & { shard: Shard };
      (results.shard.plan.thresholds[0] as { expression: string }).expression = 'p(95)<<1';
      return { name: `shard-${i}.json`, results };
    });
    await assert.rejects(
      mergeShards(files),
      (e: unknown) =>
        e instanceof InputFileError &&
        e.message.startsWith('shard-0.json: shard.plan.thresholds[0].expression: '),
    );
  });

  it("a scenario's second with a histogram of huge bucket skips is refused naming the file and the field", async () => {
    const files = [0, 1].map((i) => {
      const results = JSON.parse(texts[i] as string) as ResultsFile & { shard: Shard };
      // Two scenarios, so that each scenario's seconds are summed apart from the run's.
      results.shard.plan.scenarios.push({
        name: 'other',
        executor: 'constant-vus',
        startTimeMs: 0,
        flows: [],
      });
      return { name: `shard-${i}.json`, results };
    });
    const second = (files[0] as (typeof files)[number]).results.shard.seconds[0] as Shard['seconds'][number];
    second.scenarios.steady = { requests: 1, histogram: skipBomb() };
    await assert.rejects(
      mergeShards(files),
      (e: unknown) =>
        e instanceof InputFileError &&
        e.message.startsWith(
          'shard-0.json: shard.seconds[0].scenarios.steady.histogram: a damaged histogram',
        ),
    );
  });

  it('a shard stopped before its start (interrupted, a negative duration) is merged, not refused: INCOMPLETE, 0 s', async () => {
    const stopped = JSON.parse(texts[0] as string) as ResultsFile & { shard: Shard };
    Object.assign(stopped, {
      interrupted: true,
      interruptReason: 'stopped by signal (SIGTERM)',
      durationMs: -17_756,
    });
    const m = await mergeShards([{ name: 'shard-0.json', results: stopped }]);
    assert.equal(m.verdict.status, 'INCOMPLETE');
    assert.equal(m.durationMs, 0);
    assertMatchesSchema(m);
    // Not interrupted, a negative duration is a damaged file.
    stopped.interrupted = false;
    await assert.rejects(
      mergeShards([{ name: 'shard-0.json', results: stopped }]),
      (e: unknown) =>
        e instanceof InputFileError && e.message.startsWith('shard-0.json: durationMs: -17756 is outside'),
    );
  });

  it('a framed line of JSON that is no results object is refused, naming the log', async () => {
    for (const json of ['null', '[]', '"x"', '{"tool":{"name":"other"}}']) {
      const log = join(dir, `framed-${++written}.log`);
      writeFileSync(log, `loadproof-results:v1:${gzipSync(json).toString('base64')}\n`);
      await assert.rejects(
        async () => mergeShards(readShardInputs([log]).files),
        (e: unknown) =>
          e instanceof InputFileError && e.message.startsWith(`${log}: not a loadproof results.json`),
        json,
      );
    }
  });

  it('a gzip bomb in a log (816 KB inflating to 800 MB) is refused with its file, its memory bounded', async () => {
    // gzip members one after another inflate as one stream: 50 of 16 MB of zeros.
    const member = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 50 }, () => member));
    const log = join(dir, 'bomb.log');
    writeFileSync(log, `starting\nloadproof-results:v1:${bomb.toString('base64')}\n`);
    const r = await merge([log]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /bomb\.log: a framed results line is damaged \(it inflates past 128 MB/);
    assert.doesNotMatch(r.stderr, NO_STACK);
    // The peak memory of a process that reads it: bounded by the limit, not by the bomb.
    const child = await runProcess(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { readShardInputs } from ${JSON.stringify(new URL('../../src/cli/merge-command.ts', import.meta.url).pathname)};
try { readShardInputs([${JSON.stringify(log)}]); } catch (e) { console.log(e.message); }
console.log('maxRssMb', Math.round(process.resourceUsage().maxRSS / 1024));`,
    ]);
    const peak = Number(/maxRssMb (\d+)/.exec(child.stdout)?.[1]);
    assert.match(child.stdout, /inflates past 128 MB/, child.stderr);
    console.log(
      `gzip bomb: peak RSS ${peak} MB reading ${(bomb.length / 1024).toFixed(0)} KB inflating to 800 MB`,
    );
    assert.ok(peak < 600, `peak RSS ${peak} MB`);
  });
});

describe('merge: two runs under one --run-id, started 7 s apart', () => {
  it('are refused (exit 2, shard.epochMs named): one run has one planned start', async () => {
    const dir = outsideDir();
    const plan = writePlan(dir, 'plan.ts', planSource(target));
    const shard = (i: number) =>
      runCli(
        [
          'run',
          plan,
          '--shard',
          `${i}/2`,
          '--run-id',
          'one-name-two-runs',
          '--workers',
          '1',
          '--quiet',
        ].concat(['--out', join(dir, `shard-${i}`)]),
        { cwd: dir, timeoutMs: 60_000 },
      );
    const first = shard(0);
    await new Promise((r) => setTimeout(r, 7_000));
    const runs = await Promise.all([first, shard(1)]);
    for (const [i, r] of runs.entries()) assert.equal(r.code, 0, `shard ${i}: ${r.stderr}`);
    const second = join(dir, 'shard-1', 'results.json');
    const r = await runCli(
      ['merge', join(dir, 'shard-0', 'results.json'), second, '--out', join(dir, 'merged')],
      {
        cwd: dir,
      },
    );
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(`${second}: shard.epochMs:`), r.stderr);
    assert.match(r.stderr, /these are two runs/);
    assert.doesNotMatch(r.stderr, NO_STACK);
  });
});
