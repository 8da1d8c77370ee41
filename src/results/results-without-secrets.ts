/**
 * A results file with the secrets taken out of what the plan's own code put in it: the checks'
 * messages and offending rows, the verdict's reasons (which quote them), why a run stopped, and
 * a shard's setup() data (results/without-secrets.ts). Applied where results leave the process
 * (results.json, the framed log line, the reports), so a secret a check or setup() returned is in
 * none of them. Figures, names and histograms are not touched.
 */
import type { ResultsFile } from './types.ts';
import { redactString, withoutSecrets } from './without-secrets.ts';

export function resultsWithoutSecrets(results: ResultsFile): ResultsFile {
  // Only the fields there are: a results file of an older version may lack some.
  const { verdict, checks, workerFailures, interruptReason, shard } = results as Partial<ResultsFile>;
  return {
    ...results,
    ...(verdict
      ? {
          verdict: {
            ...verdict,
            reasons: verdict.reasons?.map(redactString),
            warnings: verdict.warnings?.map(redactString),
          },
        }
      : {}),
    ...(checks
      ? {
          checks: checks.map((c) => ({
            ...c,
            ...(c.message !== undefined ? { message: redactString(c.message) } : {}),
            ...(c.rows !== undefined ? { rows: withoutSecrets(c.rows) as unknown[] } : {}),
          })),
        }
      : {}),
    ...(workerFailures ? { workerFailures: workerFailures.map(redactString) } : {}),
    ...(interruptReason !== undefined ? { interruptReason: redactString(interruptReason) } : {}),
    ...(shard?.setup !== undefined ? { shard: { ...shard, setup: withoutSecrets(shard.setup) } } : {}),
  };
}
