/**
 * The most a plan (TypeScript or Artillery) or a CLI shortcut may ask for. Past these a number is
 * a typo or an overflow, not a load test: no machine starts `rate: 1e12` iterations a second, and
 * a duration of `99999999999999999999h` never ends. They are refused before any load, with the
 * field named (exit 2). docs/writing-plans.md lists them (Limits).
 */
export const LIMITS = {
  /** Iterations (arrivals) started per second by one scenario or phase, after timeUnit. */
  ratePerSec: 1_000_000,
  /** VUs of a scenario: vus, maxVUs, preAllocatedVUs, startVUs, stage targets, maxVusers. */
  vus: 100_000,
  /** Iterations of a per-vu-iterations or shared-iterations scenario; arrivalCount of a phase. */
  iterations: 1_000_000_000,
  /**
   * The cycle of a weighted mix of flows (or Artillery scenarios): the sum of the weights after
   * dividing them by their greatest common divisor. A mix is exact because it cycles through that
   * many slots, each computed over every flow: a weight of 1e9 would be a billion of them.
   */
  mixCycle: 10_000,
  /** Characters of `{{ $randomString(n) }}`: it is built on every render, per request. */
  randomStringLength: 1_000_000,
  /**
   * Any one duration: duration, stages, startTime, gracefulStop, maxDuration, timeUnit, timeouts,
   * think; all the phases of an Artillery script together.
   */
  durationMs: 7 * 24 * 3_600_000,
} as const;

/** `7 days` for the duration limit, as messages name it. */
export const MAX_DURATION_TEXT = '168h (7 days)';

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The slots in the cycle of a weighted mix of positive integer weights (zeros left out). */
export function mixCycleLength(weights: readonly number[]): number {
  const used = weights.filter((w) => w > 0);
  const g = used.reduce((acc, w) => gcd(acc, w), 0) || 1;
  return used.reduce((a, w) => a + w / g, 0);
}
