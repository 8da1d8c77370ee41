/**
 * Sharded runs. (1) The same open-model load from one process and from 4 shard processes started
 * together (--start-at) against one loopback server, then merged: CPU per request of all shards
 * against the single process (target: within 10 %), and the merged p99 against the single run's
 * (target: within 5 %). (2) `loadproof merge` of 64 shard files of a 10-minute, 20-endpoint run,
 * made up here with the figures a real shard keeps: wall time (target < 2 s) and peak RSS
 * (target < 300 MB).
 * Usage: npm run bench -- shards [--rate 4000] [--seconds 20] [--shards 4] [--merge-shards 64]
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initHistograms, newHistogram, recordMs, snapshotHistogram } from '../src/metrics/histogram.ts';
import { MetricStore } from '../src/metrics/store.ts';
import {
  encodeBytes,
  encodeDelta,
  HISTOGRAM_SETTINGS,
  type ShardRecord,
} from '../src/results/shard-record.ts';
import type { ResultsFile } from '../src/results/types.ts';
import { measure } from './measure.ts';
import { printTable } from './table.ts';
import { startTarget } from './targets.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/loadproof.js');

export async function runShardsBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      rate: { type: 'string', default: '4000' },
      seconds: { type: 'string', default: '20' },
      shards: { type: 'string', default: '4' },
      'merge-shards': { type: 'string', default: '64' },
    },
  });
  await localShards(Number(values.rate), Number(values.seconds), Number(values.shards));
  await mergeOfMany(Number(values['merge-shards']));
}

function p99Of(r: ResultsFile): number {
  const m = r.metrics.http_req_duration;
  return m?.type === 'trend' ? m.p99 : Number.NaN;
}

async function localShards(rate: number, seconds: number, shards: number): Promise<void> {
  console.log(
    `\n## ${shards} local shards against one process: constant-arrival-rate ${rate}/s in all for ${seconds} s, GET / against bench/server.mjs, 1 worker per process`,
  );
  const work = mkdtempSync(join(tmpdir(), 'loadproof-shards-'));
  const plan = join(work, 'plan.ts');
  writeFileSync(
    plan,
    `export default { target: process.env.TARGET, scenarios: { steady: { executor: 'constant-arrival-rate', rate: ${rate}, duration: '${seconds}s', preAllocatedVUs: 200, maxVUs: 2000, flow: async (vu) => { await vu.http.get('/'); } } } };\n`,
  );
  const target = await startTarget('plain');
  const env = { ...process.env, TARGET: target.url };
  try {
    const single = await measure(
      process.execPath,
      [BIN, 'run', plan, '--workers', '1', '--quiet', '--out', join(work, 'single')],
      env,
    );
    const startAt = new Date(Date.now() + 8000).toISOString();
    const parts = await Promise.all(
      Array.from({ length: shards }, (_, i) =>
        measure(
          process.execPath,
          [
            BIN,
            'run',
            plan,
            '--shard',
            `${i}/${shards}`,
            '--start-at',
            startAt,
            '--workers',
            '1',
            '--quiet',
            '--out',
            join(work, `shard-${i}`),
          ],
          env,
        ),
      ),
    );
    for (const [i, m] of parts.entries())
      if (m.code !== 0) throw new Error(`shard ${i} failed (${m.code}): ${m.stderr}`);
    const merge = await measure(
      process.execPath,
      [
        BIN,
        'merge',
        ...parts.map((_, i) => join(work, `shard-${i}`, 'results.json')),
        '--quiet',
        '--out',
        join(work, 'merged'),
      ],
      env,
    );
    const s = JSON.parse(readFileSync(join(work, 'single', 'results.json'), 'utf8')) as ResultsFile;
    const m = JSON.parse(readFileSync(join(work, 'merged', 'results.json'), 'utf8')) as ResultsFile;
    // The shards wait for --start-at: their CPU while waiting is idle, so CPU per request compares.
    const shardCpu = parts.reduce((n, p) => n + p.cpuMs, 0);
    const cpuPerReq = (cpuMs: number, r: ResultsFile) => (cpuMs * 1000) / Math.max(1, r.requests.total);
    printTable(
      ['run', 'requests', 'dropped', 'CPU µs/request', 'p50 ms', 'p99 ms', 'merge wall ms'],
      [
        [
          '1 process',
          String(s.requests.total),
          String(s.droppedIterations),
          cpuPerReq(single.cpuMs, s).toFixed(1),
          (s.metrics.http_req_duration as { p50: number }).p50.toFixed(2),
          p99Of(s).toFixed(2),
          '-',
        ],
        [
          `${shards} shards, merged`,
          String(m.requests.total),
          String(m.droppedIterations),
          cpuPerReq(shardCpu, m).toFixed(1),
          (m.metrics.http_req_duration as { p50: number }).p50.toFixed(2),
          p99Of(m).toFixed(2),
          merge.wallMs.toFixed(0),
        ],
      ],
    );
    const cpuRatio = cpuPerReq(shardCpu, m) / cpuPerReq(single.cpuMs, s);
    const p99Ratio = p99Of(m) / p99Of(s);
    console.log(
      `\nCPU per request, shards / one process: ${cpuRatio.toFixed(3)} (target <= 1.10: ${cpuRatio <= 1.1 ? 'met' : 'NOT met'}); merged p99 / single p99: ${p99Ratio.toFixed(3)} (target within 5 %: ${Math.abs(p99Ratio - 1) <= 0.05 ? 'met' : 'NOT met'})`,
    );
  } finally {
    await target.stop();
  }
}

/** A shard record with the figures a 10-minute, 20-endpoint shard keeps. */
function madeUpShard(position: number, count: number, runId: string): ShardRecord {
  const store = new MetricStore();
  const endpoints = Array.from({ length: 20 }, (_, e) => `scenario=browse|GET /api/items/${e}`);
  for (let i = 0; i < 2000; i++) {
    const key = endpoints[i % endpoints.length] as string;
    const ms = 2 + ((i * 7919) % 400) / 10;
    for (const name of ['http_req_duration', 'http_req_waiting', 'iteration_duration'])
      store.addTrend(name, ['', 'scenario=browse', key], ms);
    store.addCounter('http_reqs', ['', 'scenario=browse', key], 1);
    store.addRate('http_req_failed', ['', 'scenario=browse', key], i % 97 === 0);
    store.addStatus(['', 'scenario=browse', key], i % 97 === 0 ? '503' : '200');
  }
  const seconds = [];
  const h = newHistogram();
  for (let t = 1; t <= 600; t++) {
    h.reset();
    for (let k = 0; k < 200; k++) recordMs(h, 2 + ((t * 31 + k * 7) % 300) / 10);
    const bytes = encodeBytes(snapshotHistogram(h));
    seconds.push({
      t,
      run: {
        requests: 200,
        byStatus: { '200': 198, '503': 2 },
        errors: {},
        iterations: 200,
        dropped: 0,
        activeVUs: 20,
        histogram: bytes,
      },
      scenarios: { browse: { requests: 200, histogram: bytes } },
    });
  }
  h.destroy();
  const sequence = Array.from({ length: count + 1 }, (_, i) =>
    i === 0 ? '0' : i === count ? '1' : `${i}/${count}`,
  ).join(',');
  const record: ShardRecord = {
    version: 1,
    runId,
    planHash: 'bench',
    segment: `${position === 0 ? '0' : `${position}/${count}`}:${position + 1 === count ? '1' : `${position + 1}/${count}`}`,
    sequence,
    position,
    host: 'bench',
    epochMs: Date.UTC(2026, 11, 2),
    startSkewMs: 0,
    histogramSettings: HISTOGRAM_SETTINGS,
    plan: {
      name: 'bench',
      scenarios: [{ name: 'browse', executor: 'constant-arrival-rate', startTimeMs: 0, flows: ['default'] }],
      thresholds: [
        { key: 'http_req_duration', expression: 'p(99)<500', abortOnFail: false, delayAbortEvalMs: 0 },
      ],
      metricTypes: { http_req_duration: 'trend', http_reqs: 'counter', http_req_failed: 'rate' },
      afterChecks: [],
    },
    metrics: encodeDelta(store.flush()),
    seconds,
  };
  store.destroy();
  return record;
}

async function mergeOfMany(count: number): Promise<void> {
  console.log(
    `\n## loadproof merge of ${count} shard files of a 10-minute, 20-endpoint run (made up, one histogram per second)`,
  );
  await initHistograms();
  const work = mkdtempSync(join(tmpdir(), 'loadproof-merge-'));
  const files: string[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const dir = join(work, `shard-${i}`);
    mkdirSync(dir);
    const record = madeUpShard(i, count, 'bench-run');
    const results = {
      schemaVersion: 1,
      tool: { name: 'loadproof', version: 'bench' },
      plan: { name: 'bench', target: 'http://127.0.0.1' },
      startedAt: new Date(record.epochMs).toISOString(),
      endedAt: new Date(record.epochMs + 600_000).toISOString(),
      durationMs: 600_000,
      interrupted: false,
      workers: 1,
      verdict: { status: 'SHARD', reasons: [], warnings: [] },
      requests: {
        total: 120_000,
        byStatus: { '200': 118_800, '503': 1200 },
        errors: {},
        failed: 1200,
        rps: 200,
      },
      iterations: 120_000,
      droppedIterations: 0,
      metrics: {},
      scenarios: {},
      thresholds: [],
      checks: [],
      flowChecks: {},
      timeline: [],
      histograms: {},
      shard: record,
    };
    const file = join(dir, 'results.json');
    writeFileSync(file, JSON.stringify(results));
    bytes += statSync(file).size;
    files.push(file);
  }
  const m = await measure(process.execPath, [
    BIN,
    'merge',
    ...files,
    '--quiet',
    '--out',
    join(work, 'merged'),
  ]);
  if (m.code !== 0 && m.code !== 3) throw new Error(`merge failed (${m.code}): ${m.stderr}`);
  printTable(
    ['shards', 'input MB', 'wall ms', 'peak RSS MB'],
    [[String(count), (bytes / 1e6).toFixed(1), m.wallMs.toFixed(0), m.maxRssMb.toFixed(0)]],
  );
  console.log(
    `\nmerge: ${m.wallMs < 2000 ? 'met' : 'NOT met'} < 2 s, ${m.maxRssMb < 300 ? 'met' : 'NOT met'} < 300 MB`,
  );
}
