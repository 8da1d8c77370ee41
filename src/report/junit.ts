/**
 * junit.xml: one test case per threshold, flow check, invariant and run-validity criterion, so CI systems show what held
 * and what failed. A WARN threshold passes with a note; a FAIL is a failure with the actual value.
 */
import { flowCheckRows, passShare } from '../outputs/flow-checks.ts';
import { runNotes } from '../outputs/run-notes.ts';
import { validityText } from '../outputs/validity-text.ts';
import type { ResultsFile } from '../results/types.ts';

const xml = (s: unknown) =>
  String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // Characters XML 1.0 cannot hold at all.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are what is removed
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function renderJunit(all: ResultsFile[]): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const r of all) {
    const cases: string[] = [];
    let suiteFailures = 0;
    for (const t of r.thresholds) {
      const name = `threshold ${t.metric} ${t.expression}`;
      const actual = t.actual === null ? 'no data' : String(t.actual);
      if (t.level === 'FAIL') {
        suiteFailures++;
        cases.push(
          `    <testcase classname="${xml(r.plan.name)}.thresholds" name="${xml(name)}"><failure message="${xml(`actual ${actual}`)}" type="threshold">${xml(`${t.metric} ${t.expression}${t.critical ? ` (critical ${t.critical})` : ''}: actual ${actual}`)}</failure></testcase>`,
        );
      } else if (t.level === 'WARN') {
        cases.push(
          `    <testcase classname="${xml(r.plan.name)}.thresholds" name="${xml(name)}"><system-out>${xml(`WARN: over target, within critical ${t.critical}: actual ${actual}`)}</system-out></testcase>`,
        );
      } else cases.push(`    <testcase classname="${xml(r.plan.name)}.thresholds" name="${xml(name)}"/>`);
    }
    for (const c of flowCheckRows(r)) {
      const name = `flow check ${c.name}`;
      if (!c.fails) {
        cases.push(
          `    <testcase classname="${xml(r.plan.name)}.flowChecks" name="${xml(name)}"><system-out>${xml(`${c.passes} passed`)}</system-out></testcase>`,
        );
        continue;
      }
      suiteFailures++;
      const detail = `${c.fails} of ${c.passes + c.fails} failed (${passShare(c)} passed)`;
      cases.push(
        `    <testcase classname="${xml(r.plan.name)}.flowChecks" name="${xml(name)}"><failure message="${xml(detail)}" type="flow check">${xml(detail)}</failure></testcase>`,
      );
    }
    for (const c of r.checks) {
      const name = `invariant ${c.name}`;
      if (c.ok) cases.push(`    <testcase classname="${xml(r.plan.name)}.invariants" name="${xml(name)}"/>`);
      else {
        suiteFailures++;
        const detail = `${c.failures} of ${c.runs} runs failed; first (${c.phase}): ${c.message ?? ''}${c.rows ? `\n${JSON.stringify(c.rows, null, 2)}` : ''}`;
        cases.push(
          `    <testcase classname="${xml(r.plan.name)}.invariants" name="${xml(name)}"><failure message="${xml(c.message ?? 'violated')}" type="invariant">${xml(detail)}</failure></testcase>`,
        );
      }
    }
    for (const v of r.validity ?? []) {
      const name = `run validity ${v.name}${v.loosened ? ' (loosened)' : ''}`;
      const detail = validityText(v);
      if (v.ok)
        cases.push(
          `    <testcase classname="${xml(r.plan.name)}.validity" name="${xml(name)}"><system-out>${xml(detail)}</system-out></testcase>`,
        );
      else {
        suiteFailures++;
        cases.push(
          `    <testcase classname="${xml(r.plan.name)}.validity" name="${xml(name)}"><failure message="${xml(v.actual)}" type="run validity">${xml(detail)}</failure></testcase>`,
        );
      }
    }
    if (r.interrupted) {
      suiteFailures++;
      cases.push(
        `    <testcase classname="${xml(r.plan.name)}.run" name="run completed"><failure message="interrupted" type="interrupted">${xml(r.interruptReason ?? '')}</failure></testcase>`,
      );
    }
    for (const f of r.workerFailures ?? []) {
      suiteFailures++;
      cases.push(
        `    <testcase classname="${xml(r.plan.name)}.run" name="every worker finished"><failure message="incomplete" type="incomplete">${xml(f)}</failure></testcase>`,
      );
    }
    tests += cases.length;
    failures += suiteFailures;
    // What the run lost (requests cut off, iterations that threw), for whoever reads the CI log.
    const notes = [
      // What the verdict warns of beyond the thresholds (their WARN cases say it already): a
      // merge judged by another plan than the shards ran, for whoever reads only the CI log.
      ...r.verdict.warnings.filter((w) => !w.startsWith('threshold ')).map((w) => `warning: ${w}`),
      ...runNotes(r).filter((n) => !n.startsWith('INCOMPLETE')),
    ];
    const out = notes.length ? `\n    <system-out>${xml(notes.join('\n'))}</system-out>` : '';
    suites.push(
      `  <testsuite name="${xml(r.plan.name)}" tests="${cases.length}" failures="${suiteFailures}" errors="0" time="${(r.durationMs / 1000).toFixed(3)}" timestamp="${xml(r.startedAt)}">\n${cases.join('\n')}${out}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="loadproof" tests="${tests}" failures="${failures}" errors="0">\n${suites.join('\n')}\n</testsuites>\n`;
}
