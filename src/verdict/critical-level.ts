/**
 * A threshold's critical level is the outer bound of its WARN band: over the target but within
 * critical is WARN. So it must judge the same figure in the same direction and be looser than the
 * target; otherwise the band is empty or upside down and the verdict would read nonsense.
 */
import type { ParsedThreshold } from './threshold-parser.ts';

const sameFigure = (a: ParsedThreshold, b: ParsedThreshold) =>
  a.aggregation.kind === b.aggregation.kind &&
  (a.aggregation.kind !== 'percentile' ||
    (b.aggregation.kind === 'percentile' && a.aggregation.p === b.aggregation.p));

/** Why `critical` cannot be the critical level of `target`, or undefined when it can. */
export function criticalProblem(target: ParsedThreshold, critical: ParsedThreshold): string | undefined {
  if (!sameFigure(target, critical))
    return `"${critical.source}" must judge the same figure as its target "${target.source}"`;
  const upper = (op: string) => op === '<' || op === '<=';
  const lower = (op: string) => op === '>' || op === '>=';
  if (
    !(upper(target.operator) && upper(critical.operator)) &&
    !(lower(target.operator) && lower(critical.operator))
  )
    return `"${critical.source}" must bound "${target.source}" in the same direction (both < or both >)`;
  const stricter = upper(target.operator) ? critical.value < target.value : critical.value > target.value;
  if (stricter)
    return `"${critical.source}" is stricter than its target "${target.source}": the critical level is the looser bound, the one past which the run fails`;
  return undefined;
}
