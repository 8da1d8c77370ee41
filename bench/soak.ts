/**
 * Soak: loadproof at a constant rate against bench/server.mjs for a long run, its resident memory
 * sampled from outside every 5 s. Targets: RSS flat (the mean of the last third of the run within
 * 5% of the mean of its second sixth: minutes 20-30 against 5-10 in a 30-minute run) and
 * results.json under 5 MB. Draws RSS over time to a PNG.
 * Usage: npm run bench -- soak [--minutes 30] [--rate 2000] [--png FILE]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ResultsFile } from 'loadproof';
import { lineChart } from 'loadproof/report';
import { type RssSample, sampleRss } from './rss-sampler.ts';
import { svgToPng } from './svg-to-png.ts';
import { printTable } from './table.ts';
import { startTarget } from './targets.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/loadproof.js');
const SAMPLE_EVERY_MS = 5000;
const FLAT_WITHIN = 0.05;
const RESULTS_MAX_BYTES = 5 * 1024 * 1024;

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
}

function within(samples: RssSample[], fromS: number, toS: number): number[] {
  return samples.filter((s) => s.t >= fromS && s.t <= toS).map((s) => s.rssMb);
}

function runLoadproof(
  plan: string,
  out: string,
): Promise<{ code: number | null; samples: RssSample[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'run', plan, '--out', out, '--quiet'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (child.pid === undefined) return reject(new Error('loadproof did not start'));
    const sampler = sampleRss(child.pid, SAMPLE_EVERY_MS);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let reported = 0;
    const progress = setInterval(() => {
      const last = sampler.samples[sampler.samples.length - 1];
      if (!last || last.t < (reported + 1) * 60) return;
      reported = Math.floor(last.t / 60);
      console.log(`  minute ${reported}: RSS ${last.rssMb.toFixed(1)} MB`);
    }, SAMPLE_EVERY_MS);
    child.once('error', reject);
    child.once('exit', (code) => {
      sampler.stop();
      clearInterval(progress);
      resolve({ code, samples: sampler.samples, stderr });
    });
  });
}

function chartPage(samples: RssSample[], title: string): string {
  const svg = lineChart({
    title,
    unit: 'MB, every 5 s',
    xs: samples.map((s) => Math.round(s.t)),
    series: [
      { name: 'loadproof RSS (VmRSS, all threads)', color: '#1f6feb', values: samples.map((s) => s.rssMb) },
    ],
    width: 720,
    height: 260,
  });
  const css =
    'body{margin:0;padding:8px;font:13px system-ui,sans-serif;background:#fff}figure{margin:0}svg{width:720px;height:auto}' +
    '.grid{stroke:#e6e9ed}.line{fill:none;stroke-width:1.6}.ylabel{font-size:10px;fill:#5b6570;text-anchor:end}' +
    '.xlabel{font-size:10px;fill:#5b6570;text-anchor:middle}.legend{font-size:12px}.key i{display:inline-block;width:10px;height:10px;margin-right:4px}';
  return `<!doctype html><meta charset="utf-8"><style>${css}</style>${svg}`;
}

export async function runSoakBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      minutes: { type: 'string', default: '30' },
      rate: { type: 'string', default: '2000' },
      png: { type: 'string' },
    },
  });
  const minutes = Number(values.minutes);
  const rate = Number(values.rate);
  if (!(minutes >= 1) || !(rate > 0)) throw new Error('--minutes must be >= 1 and --rate > 0');
  const png = values.png ?? join(ROOT, `bench/figures/soak-rss-${minutes}m.png`);
  const durationS = minutes * 60;
  // The second sixth of the run (past start-up and JIT warm-up) against its last third.
  const early = [durationS / 6, durationS / 3];
  const late = [(durationS * 2) / 3, durationS];
  const minutesOf = (s: number) => Number((s / 60).toFixed(2));
  const fmtWindow = ([a, b]: number[]) => `minutes ${minutesOf(a as number)}-${minutesOf(b as number)}`;

  console.log(
    `\n## soak: constant-arrival-rate ${rate}/s for ${minutes} min against bench/server.mjs (loopback), RSS of the loadproof process every ${SAMPLE_EVERY_MS / 1000} s`,
  );
  const work = mkdtempSync(join(tmpdir(), 'loadproof-soak-'));
  const plan = join(work, 'soak.ts');
  writeFileSync(
    plan,
    `export default { target: process.env.TARGET, scenarios: { soak: { executor: 'constant-arrival-rate', rate: ${rate}, duration: '${minutes}m', maxVUs: 200, flow: async (vu) => { await vu.http.get('/'); } } } };\n`,
  );
  const target = await startTarget('plain');
  process.env.TARGET = target.url;
  const out = join(work, 'out');
  let run: Awaited<ReturnType<typeof runLoadproof>>;
  try {
    run = await runLoadproof(plan, out);
  } finally {
    await target.stop();
  }
  if (run.code !== 0 && run.code !== 3)
    throw new Error(`loadproof exited with ${run.code}: ${run.stderr.slice(-2000)}`);
  const resultsFile = join(out, 'results.json');
  const resultsBytes = statSync(resultsFile).size;
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as ResultsFile;
  const reportBytes = statSync(join(out, 'report.html')).size;
  writeFileSync(
    join(work, 'rss.csv'),
    `t_s,rss_mb\n${run.samples.map((s) => `${s.t.toFixed(1)},${s.rssMb.toFixed(2)}`).join('\n')}\n`,
  );

  const a = within(run.samples, early[0] as number, early[1] as number);
  const b = within(run.samples, late[0] as number, late[1] as number);
  const ratio = mean(b) / mean(a);
  const flat = Math.abs(ratio - 1) <= FLAT_WITHIN;
  const small = resultsBytes < RESULTS_MAX_BYTES;
  const peak = Math.max(...run.samples.map((s) => s.rssMb));

  console.log(
    `requests ${results.requests.total} (${results.requests.rps.toFixed(0)}/s), dropped iterations ${results.droppedIterations}, errors ${JSON.stringify(results.requests.errors)}, verdict ${results.verdict.status}, exit ${run.code}`,
  );
  printTable(
    ['window', 'samples', 'mean RSS MB', 'min', 'max'],
    [
      [fmtWindow(early), a, 'early'],
      [fmtWindow(late), b, 'late'],
    ].map(([name, xs]) => [
      name as string,
      String((xs as number[]).length),
      mean(xs as number[]).toFixed(1),
      Math.min(...(xs as number[])).toFixed(1),
      Math.max(...(xs as number[])).toFixed(1),
    ]),
  );
  console.log(
    `peak RSS ${peak.toFixed(1)} MB; results.json ${(resultsBytes / 1024).toFixed(0)} KB, report.html ${(reportBytes / 1024).toFixed(0)} KB`,
  );
  console.log(
    `RSS flat (${fmtWindow(late)} mean within ${FLAT_WITHIN * 100}% of ${fmtWindow(early)} mean): ${flat ? 'met' : 'NOT MET'}, ${((ratio - 1) * 100).toFixed(1)}%`,
  );
  console.log(
    `results.json < 5 MB: ${small ? 'met' : 'NOT MET'}, ${(resultsBytes / 1024 / 1024).toFixed(2)} MB`,
  );

  mkdirSync(dirname(png), { recursive: true });
  await svgToPng(
    chartPage(run.samples, `loadproof RSS, ${rate}/s for ${minutes} min (x: seconds)`),
    png,
    740,
    320,
  );
  console.log(`RSS over time: ${png}; samples: ${join(work, 'rss.csv')}`);
}
