/**
 * The field checks a plan's validation shares: numbers and durations in the plan's words, each
 * reporting its problem at the field's path and giving a harmless value so validation goes on.
 */
import type { Issues } from './issues.ts';
import { LIMITS } from './limits.ts';

/**
 * A number check in the plan's words: `expected a positive integer, got number 0`. A number
 * that fails counts as 0 from here on, so validation goes on to the next field.
 */
export function positiveNumber(
  issues: Issues,
  path: string,
  v: unknown,
  opts: { integer?: boolean; zero?: boolean; max?: number } = {},
): number {
  const { zero, ...rest } = opts;
  return issues.number(path, v, { ...rest, ...(zero ? { nonNegative: true } : { positive: true }) }) ?? 0;
}

/** A rate per second (after timeUnit) past the limit is named at the field that set it. */
export function boundedRate(issues: Issues, path: string, perSec: number): number {
  if (perSec <= LIMITS.ratePerSec) return perSec;
  issues.error(
    path,
    `must start at most ${LIMITS.ratePerSec} iterations per second, got ${Number(perSec.toPrecision(12))} per second`,
  );
  return 0;
}

/** Milliseconds of a duration; `fallback` when it is not given, 0 when it is wrong. */
export function duration(
  issues: Issues,
  path: string,
  v: unknown,
  fallback?: number,
  opts: { positive?: boolean } = {},
): number {
  if (v === undefined && fallback !== undefined) return fallback;
  return issues.duration(path, v, opts) ?? 0;
}
