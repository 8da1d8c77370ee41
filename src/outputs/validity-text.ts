/**
 * One run-validity criterion in words, the same in every output: what it measures, what the run
 * did, its limit, and whether the plan loosened it (never silent).
 */
import type { ValidityCriterion } from '../results/types.ts';

/** `requests that got no response: 100% (60 of 60), limit <= 1%` (+ `, loosened by the plan`). */
export function validityText(c: ValidityCriterion): string {
  return `${c.description}: ${c.actual}, limit ${c.limit}${c.loosened ? ', loosened by the plan' : ''}`;
}

export const VALIDITY_TITLE = 'run validity (the planned load was delivered)';
