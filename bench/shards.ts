/**
 * Sharded runs. (1) The same open-model load from one process and from 4 shard processes started
 * together (--start-at) against one loopback server, then merged: CPU per request of all shards
 * against the single process (target: within 10 %), and the merged p99 against the single run's
 * (target: within 5 %); beside them one process at one shard's rate, to tell the cost of a
 * lower rate per process from the cost of sharding. (2) `loadproof merge` of 64 shard files of a 10-minute, 20-endpoint run,
 * made from a real shard's figures: wall time (target < 2 s) and peak RSS (target < 300 MB).
 * Usage: npm run bench -- shards [--rate 4000] [--seconds 20] [--shards 4] [--merge-shards 64]
 *   [--merge-only] (part 2 alone)
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ResultsFile } from 'loadproof';
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
      'merge-only': { type: 'boolean', default: false },
    },
  });
  if (!values['merge-only'])
    await localShards(Number(values.rate), Number(values.seconds), Number(values.shards));
  await mergeOfMany(Number(values['merge-shards']));
}

function missedOf(r: ResultsFile): number {
  const m = r.metrics.missed_arrivals;
  return m?.type === 'counter' ? m.count : 0;
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
    // One process with 1 worker, the plan's flags given after it, results to work/DIR.
    const runAlone = (dir: string, ...flags: string[]) =>
      measure(
        process.execPath,
        [BIN, 'run', plan, '--workers', '1', ...flags, '--quiet', '--out', join(work, dir)],
        env,
      );
    // What a process costs before and after its load (start, load the plan, write the results):
    // the same plan at one request, taken off each process's CPU for the steady figure.
    const idle = await runAlone('idle', '--rate', '1', '--duration', '1s');
    const single = await runAlone('single');
    // One shard's share of the rate in one process alone: what a process costs per request at
    // that rate, sharded or not (a lower rate pays more wake-ups per request).
    const alone = await runAlone('alone', '--rate', String(rate / shards));
    // Time for every shard to load its plan and start its workers on a busy machine.
    const startAt = new Date(Date.now() + 20_000).toISOString();
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
    const a = JSON.parse(readFileSync(join(work, 'alone', 'results.json'), 'utf8')) as ResultsFile;
    // The shards wait for --start-at: their CPU while waiting is idle, so CPU per request compares.
    const shardCpu = parts.reduce((n, p) => n + p.cpuMs, 0);
    const cpuPerReq = (cpuMs: number, r: ResultsFile) => (cpuMs * 1000) / Math.max(1, r.requests.total);
    const steady = (cpuMs: number, processes: number, r: ResultsFile) =>
      cpuPerReq(cpuMs - processes * idle.cpuMs, r);
    console.log(`a process alone (start, plan, one request, results): ${idle.cpuMs.toFixed(0)} ms CPU`);
    printTable(
      [
        'run',
        'requests',
        'dropped',
        'missed',
        'CPU µs/request',
        'steady CPU µs/request',
        'p50 ms',
        'p99 ms',
        'merge wall ms',
      ],
      [
        [
          '1 process',
          String(s.requests.total),
          String(s.droppedIterations),
          String(missedOf(s)),
          cpuPerReq(single.cpuMs, s).toFixed(1),
          steady(single.cpuMs, 1, s).toFixed(1),
          (s.metrics.http_req_duration as { p50: number }).p50.toFixed(2),
          p99Of(s).toFixed(2),
          '-',
        ],
        [
          `1 process at ${rate / shards}/s (one shard's rate)`,
          String(a.requests.total),
          String(a.droppedIterations),
          String(missedOf(a)),
          cpuPerReq(alone.cpuMs, a).toFixed(1),
          steady(alone.cpuMs, 1, a).toFixed(1),
          (a.metrics.http_req_duration as { p50: number }).p50.toFixed(2),
          p99Of(a).toFixed(2),
          '-',
        ],
        [
          `${shards} shards, merged`,
          String(m.requests.total),
          String(m.droppedIterations),
          String(missedOf(m)),
          cpuPerReq(shardCpu, m).toFixed(1),
          steady(shardCpu, shards, m).toFixed(1),
          (m.metrics.http_req_duration as { p50: number }).p50.toFixed(2),
          p99Of(m).toFixed(2),
          merge.wallMs.toFixed(0),
        ],
      ],
    );
    const cpuRatio = steady(shardCpu, shards, m) / steady(single.cpuMs, 1, s);
    const p99Ratio = p99Of(m) / p99Of(s);
    const perShardRatio = steady(shardCpu, shards, m) / steady(alone.cpuMs, 1, a);
    console.log(
      `\nsteady CPU per request, shards / one process: ${cpuRatio.toFixed(3)} (target <= 1.10: ${cpuRatio <= 1.1 ? 'met' : 'NOT met'}); merged p99 / single p99: ${p99Ratio.toFixed(3)} (target within 5 %: ${Math.abs(p99Ratio - 1) <= 0.05 ? 'met' : 'NOT met'})`,
    );
    console.log(
      `steady CPU per request, shards / one process at one shard's rate: ${perShardRatio.toFixed(3)} (what sharding costs beyond a process's rate)`,
    );
  } finally {
    await target.stop();
  }
}

/**
 * One real shard of 64 (20 endpoints, a few seconds) run here, then copied into 64 shard files
 * whose seconds are repeated to ten minutes: the sizes and the work of a 10-minute merge.
 */
async function mergeOfMany(count: number): Promise<void> {
  console.log(
    `\n## loadproof merge of ${count} shard files of a 10-minute, 20-endpoint run (one real shard's figures, its seconds repeated to 600)`,
  );
  const work = mkdtempSync(join(tmpdir(), 'loadproof-merge-'));
  const plan = join(work, 'plan.ts');
  writeFileSync(
    plan,
    `export default { target: process.env.TARGET, scenarios: { browse: { executor: 'constant-arrival-rate', rate: ${count * 200}, duration: '4s', preAllocatedVUs: ${count * 2}, maxVUs: ${count * 20}, flow: async (vu) => { const e = vu.scenarioIteration % 20; await vu.http.get('/api/items/' + e, { name: 'GET /api/items/' + e }); } } } };\n`,
  );
  const target = await startTarget('plain');
  let template: ResultsFile;
  try {
    const m = await measure(
      process.execPath,
      [
        BIN,
        'run',
        plan,
        '--shard',
        `0/${count}`,
        '--run-id',
        'bench-merge',
        '--workers',
        '1',
        '--quiet',
        '--out',
        join(work, 'real'),
      ],
      { ...process.env, TARGET: target.url },
    );
    if (m.code !== 0) throw new Error(`the real shard failed (${m.code}): ${m.stderr}`);
    template = JSON.parse(readFileSync(join(work, 'real', 'results.json'), 'utf8')) as ResultsFile;
  } finally {
    await target.stop();
  }
  const record = template.shard as NonNullable<ResultsFile['shard']>;
  const real = record.seconds.filter((s) => s.run.requests > 0);
  const seconds = Array.from({ length: 600 }, (_, i) => ({
    ...(real[i % real.length] as (typeof real)[number]),
    t: i + 1,
  }));
  const bounds = record.sequence.split(',');
  const files: string[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const dir = join(work, `shard-${i}`);
    mkdirSync(dir);
    // The merge refuses two segments with the same figures (a copy relabelled): each copy's
    // run counts i more bytes received, which leaves the work of the merge the same.
    const counters = record.metrics.counters;
    const received = counters.data_received ?? {};
    const metrics = {
      ...record.metrics,
      counters: { ...counters, data_received: { ...received, '': (received[''] ?? 0) + i } },
    };
    const shard = { ...record, position: i, segment: `${bounds[i]}:${bounds[i + 1]}`, metrics, seconds };
    const file = join(dir, 'results.json');
    writeFileSync(file, JSON.stringify({ ...template, durationMs: 600_000, shard }));
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
  console.log(`shard files: ${work}/shard-*/results.json`);
  printTable(
    ['shards', 'input MB', 'wall ms', 'CPU ms', 'peak RSS MB'],
    [
      [
        String(count),
        (bytes / 1e6).toFixed(1),
        m.wallMs.toFixed(0),
        m.cpuMs.toFixed(0),
        m.maxRssMb.toFixed(0),
      ],
    ],
  );
  console.log(
    `\nmerge: ${m.wallMs < 2000 ? 'met' : 'NOT met'} < 2 s, ${m.maxRssMb < 300 ? 'met' : 'NOT met'} < 300 MB`,
  );
}
