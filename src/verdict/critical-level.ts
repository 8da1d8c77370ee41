/**
 * A threshold's critical level is the outer bound of its WARN band: over the target but within
 * critical is WARN. One that judges the same figure in the same direction as its target but is
 * stricter makes the band upside down (a run failing the target would pass critical while one
 * passing the target fails it), so it is refused. A critical level on another figure, or one that
 * always holds (Artillery's non-strict conditions: `count>=0`), is a plan's own choice.
 */
import type { ParsedThreshold } from './threshold-parser.ts';

const sameFigure = (a: ParsedThreshold, b: ParsedThreshold) =>
  a.aggregation.kind === b.aggregation.kind &&
  (a.aggregation.kind !== 'percentile' ||
    (b.aggregation.kind === 'percentile' && a.aggregation.p === b.aggregation.p));

const upper = (op: string) => op === '<' || op === '<=';
const lower = (op: string) => op === '>' || op === '>=';

/** Why `critical` cannot be the critical level of `target`, or undefined when it can. */
export function criticalProblem(target: ParsedThreshold, critical: ParsedThreshold): string | undefined {
  if (!sameFigure(target, critical)) return undefined;
  const stricter =
    (upper(target.operator) && upper(critical.operator) && critical.value < target.value) ||
    (lower(target.operator) && lower(critical.operator) && critical.value > target.value);
  if (stricter)
    return `"${critical.source}" is stricter than its target "${target.source}": the critical level is the looser bound, the one past which the run fails`;
  return undefined;
}
