/**
 * Records what k6 does with each of its own examples, as fixtures, by hand (the tests never need k6):
 *
 *   K6=/opt/anchors/k6 node --import tsx test/plan/k6/compare/record-examples.ts [example.js ...]
 *
 * Starts the stand-ins, runs each example (all of corpus.ts by default) on a rewritten copy with
 * its cap, and writes examples-k6/<example>.json: the facts of the run, or that k6 failed and its
 * first error line.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { runProcess } from '../../../helpers/cli.ts';
import { CORPUS_OUTPUTS_DIR, EXAMPLES, outputOf } from './corpus.ts';
import { rewrittenCopy, runK6 } from './corpus-run.ts';
import { startStandIns } from './standins/standins.ts';

const k6 = process.env.K6 ?? 'k6';
const only = process.argv.slice(2);
const version = (await runProcess(k6, ['version'])).stdout.trim().split(' ')[1] ?? 'unknown';
const standIns = await startStandIns();
const copy = rewrittenCopy(standIns);
mkdirSync(CORPUS_OUTPUTS_DIR, { recursive: true });
try {
  for (const ex of EXAMPLES.filter((e) => only.length === 0 || only.includes(e.file))) {
    const outcome = await runK6(k6, ex, copy, standIns);
    writeFileSync(
      outputOf(ex),
      `${JSON.stringify({ k6: version, example: ex.file, cap: ex.cap ?? [], outcome }, null, 2)}\n`,
    );
    console.log(
      `${ex.file}: ${outcome.kind} ${outcome.exitCode}${outcome.kind === 'failed' ? ` ${outcome.message}` : ''}`,
    );
  }
} finally {
  rmSync(copy, { recursive: true, force: true });
  await standIns.close();
}
const biome = new URL('../../../../node_modules/.bin/biome', import.meta.url).pathname;
await runProcess(biome, ['format', '--write', CORPUS_OUTPUTS_DIR]);
