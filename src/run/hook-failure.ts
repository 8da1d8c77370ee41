/**
 * A hook of the plan that failed after the load (teardown, handleSummary: it threw, exited, or
 * ran out of time) makes the verdict NO-GO, with the reason beside the others: a run whose
 * clean-up or report failed is not a GO.
 */
import type { ResultsFile } from '../results/types.ts';

export function withHookFailure(results: ResultsFile, reason: string): ResultsFile {
  const verdict = results.verdict;
  // A shard is judged only once merged: its failure is kept as a reason for the merge.
  const status = verdict.status === 'GO' ? 'NO-GO' : verdict.status;
  return { ...results, verdict: { ...verdict, status, reasons: [...verdict.reasons, reason] } };
}
