/**
 * k6 scripts on loadproof, side by side in one run against one bench/server.mjs:
 *   (a) bench/k6/arrival-rate.js (constant-arrival-rate, a GET and a check) on loadproof,
 *   (b) the same plan written in TypeScript (bench/k6/arrival-rate.plan.ts) on loadproof,
 *   (c) the same script on k6 (found by bench/k6-binary.ts; its column is skipped, with a note,
 *       when there is none).
 * CPU per request is the user + system time of the tool's process tree over its requests; each
 * tool also runs the script at one request per second for a second, whose CPU is its start-up,
 * shown and taken off in the "net" column. Then peak RSS at 1000 VUs (bench/k6/many-vus.js, a GET
 * and a 1 s sleep per iteration) on loadproof and on k6.
 * With --rounds N the three run in turn N times (a, b, c, a, b, c, ...) and the ratios are of the
 * medians, so that a change in the machine's load between runs weighs less; each row shows the
 * machine's 1-minute load average when its run ended.
 * Targets (issue 19): CPU per request (a)/(b) <= 1.3, (a)/(k6) < 1; peak RSS at 1000 VUs below k6's.
 * Usage: npm run bench -- k6 [--rate 5000] [--seconds 10] [--rounds 1] [--vus 1000] [--vus-seconds 20]
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ResultsFile, TrendSummary } from 'loadproof';
import { findK6 } from './k6-binary.ts';
import { type Measured, measure } from './measure.ts';
import { printTable } from './table.ts';
import { startTarget } from './targets.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/loadproof.js');
const SCRIPT = join(ROOT, 'bench/k6/arrival-rate.js');
const PLAN = join(ROOT, 'bench/k6/arrival-rate.plan.ts');
const MANY_VUS = join(ROOT, 'bench/k6/many-vus.js');
const work = mkdtempSync(join(tmpdir(), 'loadproof-bench-k6-'));
let outputs = 0;

/** What each tool's run gives, in the same terms. */
interface Run {
  m: Measured;
  requests: number;
  rps: number;
  dropped: number;
  p99Ms: number;
  /** The machine's 1-minute load average when the run ended. */
  load: number;
}

async function onLoadproof(file: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const out = join(work, `out${outputs++}`);
  const m = await measure(
    process.execPath,
    [BIN, 'run', file, '--workers', '1', '--quiet', '--out', out],
    env,
  );
  if (m.code !== 0 && m.code !== 3) throw new Error(`loadproof ${file} failed (${m.code}): ${m.stderr}`);
  const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
  return {
    m,
    requests: r.requests.total,
    rps: r.requests.rps,
    dropped: r.droppedIterations,
    p99Ms: (r.metrics.http_req_duration as TrendSummary).p99,
    load: loadavg()[0] as number,
  };
}

async function onK6(k6: string, file: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const summary = join(work, `k6-summary${outputs++}.json`);
  const m = await measure(
    k6,
    [
      'run',
      '--quiet',
      '--no-color',
      '--no-usage-report',
      '--summary-trend-stats',
      'avg,p(99)',
      '--summary-export',
      summary,
      file,
    ],
    env,
  );
  if (m.code !== 0) throw new Error(`k6 ${file} failed (${m.code}): ${m.stderr.slice(-2000)}`);
  const metrics = JSON.parse(readFileSync(summary, 'utf8')).metrics as Record<
    string,
    Record<string, number> | undefined
  >;
  return {
    m,
    requests: metrics.http_reqs?.count ?? 0,
    rps: metrics.http_reqs?.rate ?? 0,
    dropped: metrics.dropped_iterations?.count ?? 0,
    p99Ms: metrics.http_req_duration?.['p(99)'] ?? Number.NaN,
    load: loadavg()[0] as number,
  };
}

const perRequestUs = (cpuMs: number, requests: number) => (cpuMs * 1000) / Math.max(1, requests);
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

const median = (xs: number[]) => {
  const sorted = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function cpuPerRequest(
  k6: string | undefined,
  rate: number,
  seconds: number,
  rounds: number,
  url: string,
) {
  console.log(
    `\n## CPU per request: constant-arrival-rate ${rate}/s for ${seconds} s, GET / and a check, against bench/server.mjs; loadproof with 1 worker; ${rounds} round(s)`,
  );
  const env = (r: number, s: number) => ({
    ...process.env,
    TARGET: url,
    RATE: String(r),
    SECONDS: String(s),
  });
  const tools: { label: string; run: (e: NodeJS.ProcessEnv) => Promise<Run> }[] = [
    { label: '(a) k6 script on loadproof', run: (e) => onLoadproof(SCRIPT, e) },
    { label: '(b) TypeScript plan on loadproof', run: (e) => onLoadproof(PLAN, e) },
  ];
  if (k6) tools.push({ label: `(c) k6 script on k6 (${k6})`, run: (e) => onK6(k6, SCRIPT, e) });
  const startup = new Map<string, number>();
  for (const t of tools) startup.set(t.label, (await t.run(env(1, 1))).m.cpuMs);
  const gross = new Map<string, number[]>(tools.map((t) => [t.label, []]));
  const net = new Map<string, number[]>(tools.map((t) => [t.label, []]));
  const rows: string[][] = [];
  for (let round = 1; round <= rounds; round++)
    for (const t of tools) {
      const run = await t.run(env(rate, seconds));
      const startupMs = startup.get(t.label) as number;
      gross.get(t.label)?.push(perRequestUs(run.m.cpuMs, run.requests));
      net.get(t.label)?.push(perRequestUs(run.m.cpuMs - startupMs, run.requests));
      rows.push([
        rounds > 1 ? `${t.label}, round ${round}` : t.label,
        String(run.requests),
        run.rps.toFixed(0),
        String(run.dropped),
        run.p99Ms.toFixed(2),
        run.m.cpuMs.toFixed(0),
        perRequestUs(run.m.cpuMs, run.requests).toFixed(1),
        startupMs.toFixed(0),
        perRequestUs(run.m.cpuMs - startupMs, run.requests).toFixed(1),
        run.load.toFixed(1),
      ]);
    }
  printTable(
    [
      'run',
      'requests',
      'req/s',
      'dropped',
      'p99 ms',
      'CPU ms',
      'CPU µs/request',
      'start-up CPU ms',
      'net µs/request',
      'load',
    ],
    rows,
  );
  const [a, b, c] = tools.map((t) => median(gross.get(t.label) as number[])) as [number, number, number?];
  const [na, nb, nc] = tools.map((t) => median(net.get(t.label) as number[])) as [number, number, number?];
  const of = rounds > 1 ? ' (medians)' : '';
  console.log(
    `\nCPU per request (a)/(b)${of}: ${(a / b).toFixed(2)} (target <= 1.3: ${met(a / b <= 1.3)}; net of start-up ${(na / nb).toFixed(2)})`,
  );
  if (c !== undefined && nc !== undefined)
    console.log(
      `CPU per request (a)/(k6)${of}: ${(a / c).toFixed(2)} (target < 1: ${met(a / c < 1)}; net of start-up ${(na / nc).toFixed(2)})`,
    );
  console.log(
    "start-up: each tool's CPU for the same script at 1 request/s for 1 s. loadproof's p99 counts from each request's intended start (no coordinated omission); k6's from when it was sent.",
  );
}

async function peakRss(k6: string | undefined, vus: number, seconds: number, url: string) {
  console.log(
    `\n## peak RSS: ${vus} VUs (constant-vus, a GET, a check and a 1 s sleep per iteration) for ${seconds} s; loadproof with 1 worker`,
  );
  const env = { ...process.env, TARGET: url, VUS: String(vus), SECONDS: String(seconds) };
  const rows: [string, Run][] = [['k6 script on loadproof', await onLoadproof(MANY_VUS, env)]];
  if (k6) rows.push([`k6 script on k6 (${k6})`, await onK6(k6, MANY_VUS, env)]);
  printTable(
    ['run', 'requests', 'req/s', 'p99 ms', 'peak RSS MB', 'load'],
    rows.map(([label, r]) => [
      label,
      String(r.requests),
      r.rps.toFixed(0),
      r.p99Ms.toFixed(2),
      r.m.maxRssMb.toFixed(0),
      r.load.toFixed(1),
    ]),
  );
  const [lp, k] = rows.map(([, r]) => r.m.maxRssMb) as [number, number | undefined];
  if (k !== undefined)
    console.log(`\npeak RSS loadproof / k6: ${(lp / k).toFixed(2)} (target < 1: ${met(lp < k)})`);
}

export async function runK6Bench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      rate: { type: 'string', default: '5000' },
      seconds: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '1' },
      vus: { type: 'string', default: '1000' },
      'vus-seconds': { type: 'string', default: '20' },
    },
  });
  const found = findK6();
  const k6 = 'path' in found ? found.path : undefined;
  if (!k6) console.log(`k6 column not run: ${'unavailable' in found ? found.unavailable : ''}`);
  const target = await startTarget('plain');
  try {
    await cpuPerRequest(k6, Number(values.rate), Number(values.seconds), Number(values.rounds), target.url);
    await peakRss(k6, Number(values.vus), Number(values['vus-seconds']), target.url);
  } finally {
    await target.stop();
  }
}
