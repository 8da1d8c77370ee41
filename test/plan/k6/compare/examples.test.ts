/**
 * k6's own examples (v0.47.0) run by loadproof against the stand-ins and compared, by class of
 * result, with what k6 v0.47 did with them here (examples-k6/, recorded by record-examples.ts).
 * Each example's class today is written in corpus.ts: a fix that changes one fails this test
 * until its line is flipped. Prints the summary table (same / differed / refused / k6 fails).
 * Never needs k6.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CORPUS_DIR, CORPUS_OUTPUTS_DIR, EXAMPLES, outputOf } from './corpus.ts';
import {
  classify,
  describe as describeResult,
  mismatch,
  type Result,
  staleNoGoByDefaults,
} from './corpus-compare.ts';
import { type Outcome, rewrittenCopy, runLoadproof } from './corpus-run.ts';
import { type StandIns, startStandIns } from './standins/standins.ts';

/** The example scripts: every .js under examples/ except modules other examples import. */
function exampleScripts(dir = CORPUS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return exampleScripts(p);
    return e.name.endsWith('.js') && e.name !== 'imported.js' ? [relative(CORPUS_DIR, p)] : [];
  });
}

let standIns: StandIns;
let copy: string;
const results: [string, Result][] = [];

before(async () => {
  standIns = await startStandIns();
  copy = rewrittenCopy(standIns);
});

after(async () => {
  rmSync(copy, { recursive: true, force: true });
  await standIns.close();
  const count = (c: Result['class']) => results.filter(([, r]) => r.class === c).length;
  const onPurpose = (file: string) => EXAMPLES.find((e) => e.file === file)?.noGoByDefaults;
  const lines = results.map(([file, r]) => {
    const note =
      r.class === 'same' && onPurpose(file) ? ` (loadproof exits 3 on purpose: ${onPurpose(file)})` : '';
    return `| ${file} | ${describeResult(r).replaceAll('|', '\\|')}${note} |`;
  });
  console.log(
    [
      `k6 examples (v0.47.0) in loadproof: ${results.length} run`,
      '| same | differed | refused | k6 fails |',
      '|---|---|---|---|',
      `| ${count('same')} | ${count('differed')} | ${count('refused')} | ${count('k6 fails')} |`,
      '',
      '| example | result |',
      '|---|---|',
      ...lines,
    ].join('\n'),
  );
});

describe("k6's examples: the class of result loadproof gives beside k6 v0.47", () => {
  it('the corpus lists every example once, each with a recording of k6', () => {
    assert.deepEqual(EXAMPLES.map((e) => e.file).sort(), exampleScripts().sort());
    assert.equal(EXAMPLES.length, 43);
    for (const ex of EXAMPLES)
      assert.ok(existsSync(outputOf(ex)), `no k6 recording for ${ex.file}: run record-examples.ts`);
    assert.equal(readdirSync(CORPUS_OUTPUTS_DIR).length, EXAMPLES.length, 'recordings without an example');
  });

  for (const ex of EXAMPLES) {
    it(`${ex.file}: ${ex.expected}`, { timeout: 240_000 }, async () => {
      const recorded = JSON.parse(readFileSync(outputOf(ex), 'utf8')) as { outcome: Outcome; cap: string[] };
      assert.deepEqual(recorded.cap, ex.cap ?? [], 'k6 was recorded with the cap the corpus gives');
      const k6 = recorded.outcome;
      let result: Result;
      if (ex.k6FailsHere) {
        assert.ok(k6.kind === 'failed' || k6.error, `k6 no longer fails on ${ex.file}: ${ex.k6FailsHere}`);
        result = { class: 'k6 fails', message: k6.kind === 'failed' ? k6.message : (k6.error ?? '') };
      } else {
        const lp =
          k6.kind === 'ran'
            ? await runLoadproof(ex, copy, standIns, Object.keys(k6.facts.metrics))
            : undefined;
        result = classify(k6, lp, ex);
        if (ex.noGoByDefaults && lp?.kind === 'ran') {
          const stale = staleNoGoByDefaults(k6, lp);
          assert.equal(stale, undefined, stale);
        }
      }
      results.push([ex.file, result]);
      const wrong = mismatch(result, ex.expected);
      assert.equal(wrong, undefined, wrong);
    });
  }
});
