/**
 * Flow checks (`vu.check`, Artillery's `expect`) as every report lists them: each with its passes
 * and fails, the failing ones first (most failures first), then the rest by name.
 */
import type { ResultsFile } from '../results/types.ts';

export interface FlowCheckRow {
  name: string;
  passes: number;
  fails: number;
  /** Share of passes, 0..1. */
  passRate: number;
}

export function flowCheckRows(r: ResultsFile): FlowCheckRow[] {
  return Object.entries(r.flowChecks)
    .map(([name, c]) => ({ name, ...c, passRate: c.passes + c.fails ? c.passes / (c.passes + c.fails) : 1 }))
    .sort(
      (a, b) =>
        Number(b.fails > 0) - Number(a.fails > 0) || b.fails - a.fails || a.name.localeCompare(b.name),
    );
}

/** `99.50%`: the pass share as the reports print it. */
export function passShare(row: FlowCheckRow): string {
  return `${(row.passRate * 100).toFixed(2)}%`;
}
