/**
 * Records k6's outputs of the comparison scripts as fixtures, by hand (the tests never need k6):
 *
 *   K6=/opt/anchors/k6 node --import tsx test/plan/k6/compare/record.ts [script.js ...]
 *
 * For each script (all of scripts/ by default) it starts the comparison server, runs the real k6
 * with `--out json` and `--summary-export`, and writes the facts of that run to
 * k6-outputs/<script>.json (formatted by biome, as the repository keeps it). Timing never enters
 * a fixture.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../../../helpers/cli.ts';
import { factsFromK6 } from './k6-facts.ts';
import {
  compareScripts,
  type K6Output,
  OUTPUTS_DIR,
  outputFileOf,
  readSummaryFile,
  SCRIPTS_DIR,
  summaryFileIn,
} from './scripts.ts';
import { startCompareServer } from './server.ts';

const k6 = process.env.K6 ?? 'k6';
const scripts = process.argv.slice(2).length > 0 ? process.argv.slice(2) : compareScripts();

const version = (await runProcess(k6, ['version'])).stdout.trim().split(' ')[1] ?? 'unknown';
const server = await startCompareServer();
try {
  for (const script of scripts) {
    server.reset();
    const dir = mkdtempSync(join(tmpdir(), 'loadproof-k6-record-'));
    const json = join(dir, 'samples.json');
    const summary = join(dir, 'summary.json');
    const r = await runProcess(
      k6,
      ['run', '--quiet', '--no-usage-report', '--out', `json=${json}`, '--summary-export', summary].concat([
        '--env',
        `TARGET=${server.url}`,
        '--env',
        `SUMMARY_OUT=${summaryFileIn(dir)}`,
        join(SCRIPTS_DIR, script),
      ]),
      { timeoutMs: 120_000 },
    );
    if (r.code !== 0 && r.code !== 99) throw new Error(`k6 exited ${r.code} on ${script}:\n${r.stderr}`);
    const facts = factsFromK6({
      exitCode: r.code,
      jsonOutput: readFileSync(json, 'utf8'),
      summaryExport: readFileSync(summary, 'utf8'),
      serverUrl: server.url,
      server: server.counts(),
      handleSummary: readSummaryFile(dir),
    });
    const output: K6Output = { k6: version, script, facts };
    writeFileSync(outputFileOf(script), `${JSON.stringify(output, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    console.log(`${script}: k6 exit ${r.code} -> ${outputFileOf(script)}`);
  }
} finally {
  await server.close();
}
const biome = new URL('../../../../node_modules/.bin/biome', import.meta.url).pathname;
await runProcess(biome, ['format', '--write', OUTPUTS_DIR]);
