/**
 * Distinct URLs without `name`: a request per user id, 100,000 ids, each its own URL. Shows the
 * endpoint series limit holding memory: peak RSS of the loadproof process (worker threads
 * included), results.json and report.html sizes, series kept, with the default limit and others
 * (LOADPROOF_MAX_ENDPOINT_SERIES), so that the cost of one named series can be read off.
 * Target: peak RSS < 300 MB with the default limit.
 * Usage: npm run bench -- series [--urls 100000] [--rate 5000]
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_ENDPOINT_SERIES, type ResultsFile } from 'loadproof';
import { measure } from './measure.ts';
import { printTable } from './table.ts';
import { startTarget } from './targets.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/loadproof.js');
const RSS_TARGET_MB = 300;

export async function runSeriesBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { urls: { type: 'string', default: '100000' }, rate: { type: 'string', default: '5000' } },
  });
  const urls = Number(values.urls);
  const rate = Number(values.rate);
  const seconds = Math.ceil(urls / rate);
  console.log(
    `\n## ${urls} distinct URLs without name: constant-arrival-rate ${rate}/s for ${seconds} s, GET /users/<iteration>, against bench/server.mjs`,
  );
  const work = mkdtempSync(join(tmpdir(), 'loadproof-series-'));
  const plan = join(work, 'many-urls.ts');
  writeFileSync(
    plan,
    `export default { target: process.env.TARGET, scenarios: { ids: { executor: 'constant-arrival-rate', rate: ${rate}, duration: '${seconds}s', maxVUs: 200, flow: async (vu) => { await vu.http.get('/users/' + vu.scenarioIteration); } } } };\n`,
  );
  const target = await startTarget('plain');
  const runs = [
    { limit: MAX_ENDPOINT_SERIES, workers: 1, label: `${MAX_ENDPOINT_SERIES} (default)` },
    { limit: 0, workers: 1, label: '0' },
    { limit: 1000, workers: 1, label: '1000' },
    { limit: MAX_ENDPOINT_SERIES, workers: 2, label: `${MAX_ENDPOINT_SERIES} (default)` },
    { limit: 0, workers: 2, label: '0' },
  ];
  const rows: string[][] = [];
  const rssAt = new Map<number, number>();
  try {
    for (const [i, r] of runs.entries()) {
      const out = join(work, `out${i}`);
      const m = await measure(
        process.execPath,
        [BIN, 'run', plan, '--out', out, '--workers', String(r.workers)],
        { ...process.env, TARGET: target.url, LOADPROOF_MAX_ENDPOINT_SERIES: String(r.limit) },
      );
      if (m.code !== 0 && m.code !== 3) throw new Error(`loadproof failed (${m.code}): ${m.stderr}`);
      const file = join(out, 'results.json');
      const res = JSON.parse(readFileSync(file, 'utf8')) as ResultsFile;
      const endpoints = res.scenarios.ids?.endpoints ?? [];
      const warnings = m.stderr.split('\n').filter((l) => l.includes('distinct request names')).length;
      if (r.workers === 1) rssAt.set(r.limit, m.maxRssMb);
      rows.push([
        r.label,
        String(r.workers),
        String(res.requests.total),
        String(res.droppedIterations),
        String(endpoints.length),
        String(warnings),
        m.maxRssMb.toFixed(0),
        (statSync(file).size / 1024).toFixed(0),
        (statSync(join(out, 'report.html')).size / 1024).toFixed(0),
      ]);
    }
  } finally {
    await target.stop();
  }
  printTable(
    [
      'limit',
      'workers',
      'requests',
      'dropped',
      'series',
      'warnings',
      'peak RSS MB',
      'results.json KB',
      'report.html KB',
    ],
    rows,
  );
  const perSeries = (((rssAt.get(1000) as number) - (rssAt.get(0) as number)) / 1000) * 1024;
  console.log(`memory per named series (1 worker, limit 1000 against 0): ${perSeries.toFixed(0)} KB`);
  for (const row of [rows[0], rows[3]]) {
    const peak = Number(row?.[6]);
    console.log(
      `peak RSS with the default limit and ${row?.[1]} worker(s) < ${RSS_TARGET_MB} MB: ${peak < RSS_TARGET_MB ? 'met' : 'NOT MET'} (${peak} MB)`,
    );
  }
}
