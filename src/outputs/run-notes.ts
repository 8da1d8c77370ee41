/**
 * What a run lost or cut short, in words every report prints: requests cut off by the stop,
 * iterations cut off by gracefulStop, flows that threw, workers that failed. A pure function of
 * results.json, so the console, HTML and Markdown say the same.
 */
import type { ResultsFile } from '../results/types.ts';

function counterOf(r: ResultsFile, name: string): number {
  const m = r.metrics[name];
  return m?.type === 'counter' ? m.count : 0;
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function runNotes(r: ResultsFile): string[] {
  const notes: string[] = [];
  for (const f of r.workerFailures ?? []) notes.push(`INCOMPLETE: ${f}`);
  const aborted = r.requests.errors.ABORTED ?? 0;
  if (aborted)
    notes.push(
      `${plural(aborted, 'request')} cut off unanswered when the run stopped (ABORTED, counted as failed)`,
    );
  const cutIterations = counterOf(r, 'interrupted_iterations');
  if (cutIterations)
    notes.push(`${plural(cutIterations, 'iteration')} still running after gracefulStop, cut off`);
  const threw = counterOf(r, 'iteration_errors');
  if (threw) {
    const m = r.metrics.iteration_failed;
    const share = m?.type === 'rate' ? ` (${(m.rate * 100).toFixed(2)}% of iterations)` : '';
    notes.push(`${plural(threw, 'iteration')} ended in an exception of the flow${share}`);
  }
  return notes;
}
