/**
 * The exit code of one shard of a sharded run. A shard is judged only at the merge, so one that
 * ran its part cleanly exits 0; one that did not (stopped by a signal or a threshold's abort, a
 * worker lost, a hook that failed) exits 3, so that an orchestrator (a Kubernetes Job, a CI
 * matrix) never counts it a success.
 */
import { EXIT } from '../errors.ts';
import type { ResultsFile } from '../results/types.ts';

export function shardExitCode(results: ResultsFile, hookFailures: readonly string[]): number {
  return shardProblems(results, hookFailures).length === 0 ? EXIT.go : EXIT.noGo;
}

/** What kept a shard from running its part cleanly, in words; empty when nothing did. */
export function shardProblems(results: ResultsFile, hookFailures: readonly string[]): string[] {
  const problems: string[] = [];
  if (results.interrupted) problems.push(`interrupted: ${results.interruptReason ?? 'stopped early'}`);
  for (const f of results.workerFailures ?? []) problems.push(`worker failed: ${f}`);
  for (const h of hookFailures) problems.push(`hook failed: ${h}`);
  return problems;
}
