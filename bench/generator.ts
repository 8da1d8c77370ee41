/**
 * Generator benchmarks, side by side in one run against the same loopback servers:
 *   throughput  highest request rate with 64 connections, and CPU per request at that rate:
 *               loadproof vs autocannon vs wrk
 *   cpu         CPU per request at a fixed 5000 req/s for 5 s, and p99: loadproof vs autocannon, and
 *               the floor of a paced client (bench/paced-loop.mjs: sockets, no parsing, no metrics)
 *   accuracy    a fixed 50 ms server (Node, and C on a timerfd); a server that stalls 400 ms of every 2 s (analytic p90/p95/p99
 *               200/300/380 ms), with ample VUs and with 20 VUs queueing
 *   vus         10,000 concurrent VUs (constant-vus, keep-alive): peak RSS
 * loadproof runs with its default HTTP client (the lean one for http:) and, in throughput and cpu,
 * once more with LOADPROOF_HTTP_CLIENT=undici, so that both show in the same run.
 * Usage: npm run bench -- generator [throughput|cpu|accuracy|vus ...]
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsFile, TrendSummary } from 'loadproof';
import { measure } from './measure.ts';
import { printTable } from './table.ts';
import { preciseFixedTarget, startTarget, type Target } from './targets.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/loadproof.js');
const AUTOCANNON = join(ROOT, 'node_modules/.bin/autocannon');
const PACED = join(ROOT, 'bench/paced-loop.mjs');
const work = mkdtempSync(join(tmpdir(), 'loadproof-bench-'));
let planCount = 0;

function planFile(body: string): string {
  const file = join(work, `plan${planCount++}.ts`);
  writeFileSync(file, `export default { target: process.env.TARGET, ${body} };\n`);
  return file;
}

type Client = 'lean' | 'undici';

async function loadproof(target: string, body: string, workers: number, client: Client = 'lean') {
  const file = planFile(body);
  const out = join(work, `out${planCount}`);
  const m = await measure(
    process.execPath,
    [BIN, 'run', file, '--out', out, '--quiet', '--workers', String(workers)],
    {
      ...process.env,
      TARGET: target,
      LOADPROOF_HTTP_CLIENT: client,
    },
  );
  if (m.code !== 0 && m.code !== 3) throw new Error(`loadproof failed (${m.code}): ${m.stderr}`);
  const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
  return {
    m,
    r,
    latency: r.metrics.http_req_duration as TrendSummary,
    service: r.metrics.http_req_service_duration as TrendSummary,
  };
}

async function autocannon(args: string[], url: string) {
  const m = await measure(AUTOCANNON, [...args, '--json', url]);
  const j = JSON.parse(m.stdout.trim().split('\n').pop() as string);
  return {
    m,
    rps: j.requests.total / (j.duration || 1),
    total: j.requests.total,
    p99: j.latency.p99,
    errors: j.errors + j.non2xx,
  };
}

async function wrk(args: string[], url: string) {
  const m = await measure('wrk', [...args, url]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(m.stdout)?.[1]);
  const total = Number(/(\d+) requests in/.exec(m.stdout)?.[1]);
  return { m, rps, total };
}

const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
/** A header row, then the rows, aligned. */
const print = ([header, ...rows]: string[][]) => printTable(header ?? [], rows);
/** One request: each tool's start-up CPU, subtracted from its runs. */
const ONE_REQUEST = `scenarios: { one: { executor: 'shared-iterations', vus: 1, iterations: 1, flow: async (vu) => { await vu.http.get('/'); } } }`;

async function throughput() {
  console.log(
    "\n## throughput: 64 connections, 5 s each, plain node:http server (sharing the 2 cores), runs alternate (2 rounds); CPU per request net of each tool's start-up",
  );
  const t = await startTarget('plain');
  const base = {
    autocannon: (await autocannon(['-a', '1', '-c', '1'], t.url)).m.cpuMs,
    lean: (await loadproof(t.url, ONE_REQUEST, 1)).m.cpuMs,
    undici: (await loadproof(t.url, ONE_REQUEST, 1, 'undici')).m.cpuMs,
    lean2: (await loadproof(t.url, ONE_REQUEST, 2)).m.cpuMs,
    undici2: (await loadproof(t.url, ONE_REQUEST, 2, 'undici')).m.cpuMs,
  };
  const rows = [['tool', 'round 1 req/s', 'round 2 req/s', 'best', 'µs cpu/request']];
  const results: Record<string, { rps: number[]; cpu: number[] }> = {};
  const add = (k: string, rps: number, cpuMs: number, baseMs: number, requests: number) => {
    results[k] ??= { rps: [], cpu: [] };
    results[k].rps.push(rps);
    results[k].cpu.push(((cpuMs - baseMs) * 1000) / requests);
  };
  const vus = `scenarios: { max: { executor: 'constant-vus', vus: 64, duration: '5s', flow: async (vu) => { await vu.http.get('/'); } } }`;
  const lp = async (k: string, workers: number, client: Client, baseMs: number) => {
    const x = await loadproof(t.url, vus, workers, client);
    add(k, x.r.requests.rps, x.m.cpuMs, baseMs, x.r.requests.total);
  };
  for (let round = 0; round < 2; round++) {
    const a = await autocannon(['-c', '64', '-d', '5'], t.url);
    add('autocannon -c 64', a.rps, a.m.cpuMs, base.autocannon, a.total);
    const w = await wrk(['-t2', '-c64', '-d5s'], t.url);
    add('wrk -t2 -c64', w.rps, w.m.cpuMs, 0, w.total);
    await lp('loadproof 64 VUs, 1 worker', 1, 'lean', base.lean);
    await lp('loadproof 64 VUs, 2 workers', 2, 'lean', base.lean2);
    await lp('loadproof (undici) 64 VUs, 1 worker', 1, 'undici', base.undici);
    await lp('loadproof (undici) 64 VUs, 2 workers', 2, 'undici', base.undici2);
  }
  await t.stop();
  for (const [k, v] of Object.entries(results))
    rows.push([
      k,
      f0(v.rps[0] as number),
      f0(v.rps[1] as number),
      f0(Math.max(...v.rps)),
      f1(v.cpu.reduce((a, b) => a + b, 0) / v.cpu.length),
    ]);
  print(rows);
  const best = (k: string) => Math.max(...(results[k] as { rps: number[] }).rps);
  const lean = Math.max(best('loadproof 64 VUs, 1 worker'), best('loadproof 64 VUs, 2 workers'));
  const un = Math.max(
    best('loadproof (undici) 64 VUs, 1 worker'),
    best('loadproof (undici) 64 VUs, 2 workers'),
  );
  const ac = best('autocannon -c 64');
  const wr = best('wrk -t2 -c64');
  console.log(
    `best of loadproof / autocannon = ${f2(lean / ac)}, / wrk = ${f2(lean / wr)}; with undici: ${f2(un / ac)}, ${f2(un / wr)}`,
  );
}

async function cpu() {
  console.log(
    '\n## cpu: fixed 5000 req/s, 64 connections, plain server. CPU per request net of a 1-request run of the same tool (5 s runs), and steady (the extra CPU of a 15 s run over a 5 s run, per extra request: no start-up, no JIT warm-up)',
  );
  const t = await startTarget('plain');
  const fixedPlan = (seconds: number) => `http: { connections: 64 }, scenarios: {
      warm: { executor: 'constant-arrival-rate', rate: 5000, duration: '1s', maxVUs: 64, preAllocatedVUs: 64, flow: async (vu) => { await vu.http.get('/'); } },
      fixed: { executor: 'constant-arrival-rate', startTime: '1s', rate: 5000, duration: '${seconds}s', maxVUs: 64, preAllocatedVUs: 64, flow: async (vu) => { await vu.http.get('/'); } } }`;
  interface Row {
    label: string;
    requests: number;
    cpuMs: number;
    baseMs: number;
    per: number;
    steady: number;
    p99: string;
  }
  const row = (
    label: string,
    base: number,
    short: [number, number],
    long: [number, number],
    p99: string,
  ) => ({
    label,
    requests: short[1],
    cpuMs: short[0],
    baseMs: base,
    per: ((short[0] - base) * 1000) / short[1],
    steady: ((long[0] - short[0]) * 1000) / (long[1] - short[1]),
    p99,
  });
  const acBase = await autocannon(['-a', '1', '-c', '1'], t.url);
  const ac5 = await autocannon(['-R', '5000', '-c', '64', '-d', '5'], t.url);
  const ac15 = await autocannon(['-R', '5000', '-c', '64', '-d', '15'], t.url);
  const rows: Row[] = [
    row(
      'autocannon -R 5000 -c 64',
      acBase.m.cpuMs,
      [ac5.m.cpuMs, ac5.total],
      [ac15.m.cpuMs, ac15.total],
      f1(ac5.p99),
    ),
  ];
  const dropped: string[] = [];
  for (const client of ['lean', 'undici'] as const) {
    const base = await loadproof(t.url, ONE_REQUEST, 1, client);
    const short = await loadproof(t.url, fixedPlan(5), 1, client);
    const long = await loadproof(t.url, fixedPlan(15), 1, client);
    const measured = short.r.scenarios.fixed?.metrics.http_req_duration as TrendSummary;
    rows.push(
      row(
        client === 'lean' ? 'loadproof 5000/s, 1 worker' : 'loadproof (undici) 5000/s, 1 worker',
        base.m.cpuMs,
        [short.m.cpuMs, short.r.requests.total],
        [long.m.cpuMs, long.r.requests.total],
        `${f2(measured.p99)}; ${f2(short.latency.p99)}`,
      ),
    );
    dropped.push(`${client} ${short.r.droppedIterations}/${long.r.droppedIterations}`);
  }
  const paced = async (seconds: string) => {
    const m = await measure(process.execPath, [
      PACED,
      String(t.port),
      seconds === '0' ? '1000' : '5000',
      seconds === '0' ? '0.001' : seconds,
      '64',
    ]);
    return [m.cpuMs, Number(m.stdout.trim())] as [number, number];
  };
  const pacedBase = await paced('0');
  rows.push(
    row(
      'paced socket loop, no parsing (bench/paced-loop.mjs)',
      pacedBase[0],
      await paced('5'),
      await paced('15'),
      '',
    ),
  );
  await t.stop();
  print([
    [
      'tool',
      'requests (5 s run)',
      'cpu ms',
      'startup cpu ms',
      'µs cpu/request',
      'steady µs cpu/request',
      'p99 ms (loadproof: after 1 s warm-up; whole run)',
    ],
    ...rows.map((r) => [r.label, f0(r.requests), f0(r.cpuMs), f0(r.baseMs), f1(r.per), f1(r.steady), r.p99]),
  ]);
  const [acRow, leanRow, undiciRow, pacedRow] = rows as [Row, Row, Row, Row];
  const ratio = (r: Row) => `${f2(r.per / acRow.per)} (steady ${f2(r.steady / acRow.steady)})`;
  console.log(
    `cpu per request / autocannon: loadproof ${ratio(leanRow)}, undici ${ratio(undiciRow)}, paced loop ${ratio(pacedRow)}; dropped iterations (5 s / 15 s run): ${dropped.join(', ')}`,
  );
  console.log(
    "autocannon -R sends each connection's share of a second back to back, then waits for the next second: its requests come in bursts (see its p99), so it pays one wake-up for many; loadproof and the paced loop send each request when due.",
  );
}

async function accuracy() {
  console.log('\n## accuracy');
  // The same 50 ms server twice: Node's (its timers fire up to a millisecond or more late, which
  // the generator cannot tell from its own error) and a C one on a timerfd, which answers on time.
  const fixedPlan = `scenarios: {
      warm: { executor: 'constant-arrival-rate', rate: 200, duration: '1s', maxVUs: 100, preAllocatedVUs: 20, flow: async (vu) => { await vu.http.get('/'); } },
      s: { executor: 'constant-arrival-rate', startTime: '1s', rate: 200, duration: '5s', maxVUs: 100, preAllocatedVUs: 20, flow: async (vu) => { await vu.http.get('/'); } } }`;
  const servers: [string, () => Promise<Target>][] = [
    ['Node server (setTimeout)', () => startTarget('fixed:50')],
  ];
  const precise = preciseFixedTarget(50);
  if ('unavailable' in precise)
    console.log(`fixed 50 ms C server (timerfd): not run (${precise.unavailable})`);
  else servers.push(['C server (timerfd)', precise.start]);
  for (const [label, start] of servers) {
    const fixed = await start();
    const f = await loadproof(fixed.url, fixedPlan, 1);
    await fixed.stop();
    const fm = f.r.scenarios.s?.metrics.http_req_duration as TrendSummary;
    const fs = f.r.scenarios.s?.metrics.http_req_service_duration as TrendSummary;
    console.log(
      `fixed 50 ms ${label}, 200 req/s for 5 s after 1 s of warm-up: p50 ${f2(fm.p50)} ms, p99 ${f2(fm.p99)} ms (want 50 ± 2); uncorrected service time p50 ${f2(fs.p50)}, p99 ${f2(fs.p99)}; whole run with the cold first second: p50 ${f2(f.latency.p50)}, p99 ${f2(f.latency.p99)}`,
    );
  }
  const stall = await startTarget('stall:400:2000');
  const rows = [['run', 'p90', 'p95', 'p99', 'service p99', 'dropped', 'requests']];
  rows.push(['analytic', '200', '300', '380', '', '', '2000']);
  for (const [label, pool] of [
    ['ample VUs (maxVUs 200)', `maxVUs: 200, preAllocatedVUs: 100`],
    ["20 VUs, onSaturation 'queue'", `maxVUs: 20, preAllocatedVUs: 20, onSaturation: 'queue'`],
  ] as const) {
    const s = await loadproof(
      stall.url,
      `http: { connections: 200 }, scenarios: { s: { executor: 'constant-arrival-rate', rate: 200, duration: '10s', ${pool}, flow: async (vu) => { await vu.http.get('/'); } } }`,
      1,
    );
    rows.push([
      label,
      f1(s.latency.p90),
      f1(s.latency.p95),
      f1(s.latency.p99),
      f1(s.service.p99),
      String(s.r.droppedIterations),
      String(s.r.requests.total),
    ]);
  }
  await stall.stop();
  print(rows);
}

async function vus() {
  console.log('\n## 10,000 concurrent VUs (constant-vus, keep-alive, 1 request per VU every 5 s), 20 s');
  const t = await startTarget('plain');
  const v = await loadproof(
    t.url,
    `scenarios: { many: { executor: 'constant-vus', vus: 10000, duration: '20s', gracefulStop: '10s', flow: async (vu) => { await vu.http.get('/'); await vu.sleep('5s'); } } }`,
    1,
  );
  await t.stop();
  console.log(
    `requests ${v.r.requests.total} (${f0(v.r.requests.rps)}/s), errors ${JSON.stringify(v.r.requests.errors)}, p99 ${f1(v.latency.p99)} ms, peak RSS ${f0(v.m.maxRssMb)} MB (target < 500 MB)`,
  );
}

const all = { throughput, cpu, accuracy, vus };
export async function runGeneratorBench(which: string[]) {
  const picked = which.length ? which : Object.keys(all);
  for (const name of picked) {
    const fn = all[name as keyof typeof all];
    if (!fn) throw new Error(`unknown generator bench "${name}"; choose from ${Object.keys(all).join(', ')}`);
    await fn();
  }
}
