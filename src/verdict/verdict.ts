/**
 * The verdict of a run: GO when every threshold, check and run-validity criterion holds, NO-GO
 * with the reasons otherwise (a failed threshold, check or criterion, an interrupted run, a worker
 * that failed); a threshold past its target but within its critical level is a warning, and so is
 * a criterion the plan loosened.
 */
import type { CheckResult, ThresholdResult, ValidityCriterion, Verdict } from '../results/types.ts';
import { validityFailure, validityLoosened } from './run-validity.ts';

export function verdictOf(
  thresholds: ThresholdResult[],
  checks: CheckResult[],
  interrupted: boolean,
  interruptReason?: string,
  workerFailures: string[] = [],
  validity: ValidityCriterion[] = [],
): Verdict {
  const reasons: string[] = [];
  for (const f of workerFailures) reasons.push(`incomplete run: ${f}`);
  const warnings: string[] = [];
  for (const t of thresholds) {
    const actual = t.actual === null ? 'no data' : `actual ${t.actual}`;
    const kind = t.isDefault ? 'default threshold' : 'threshold';
    if (t.level === 'FAIL') reasons.push(`${kind} ${t.metric} ${t.expression} failed (${actual})`);
    else if (t.level === 'WARN')
      warnings.push(
        `threshold ${t.metric} ${t.expression} missed its target but held ${t.critical} (${actual})`,
      );
  }
  for (const c of checks) {
    if (!c.ok)
      reasons.push(`check ${c.name} failed${c.phase ? ` (${c.phase})` : ''}: ${c.message ?? 'violated'}`);
  }
  for (const c of validity) {
    if (!c.ok) reasons.push(validityFailure(c));
    if (c.loosened) warnings.push(validityLoosened(c));
  }
  if (interrupted)
    reasons.push(`run interrupted before the plan finished${interruptReason ? `: ${interruptReason}` : ''}`);
  return { status: reasons.length ? 'NO-GO' : 'GO', reasons, warnings };
}
