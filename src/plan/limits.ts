/**
 * The most a plan (TypeScript or Artillery) or a CLI shortcut may ask for. Past these a number is
 * a typo or an overflow, not a load test: `rate: 1e12` would make the pacer busy-loop, a duration
 * of `99999999999999999999h` would never end. They are refused before any load, with the field
 * named (exit 2). The README lists them.
 */
export const LIMITS = {
  /** Iterations (arrivals) started per second by one scenario or phase, after timeUnit. */
  ratePerSec: 1_000_000,
  /** VUs of a scenario: vus, maxVUs, preAllocatedVUs, startVUs, stage targets, maxVusers. */
  vus: 100_000,
  /** Iterations of a per-vu-iterations or shared-iterations scenario; arrivalCount of a phase. */
  iterations: 1_000_000_000,
  /** Any one duration: duration, stages, startTime, gracefulStop, timeUnit, timeouts; a whole Artillery script. */
  durationMs: 7 * 24 * 3_600_000,
} as const;

/** `7 days` for the duration limit, as messages name it. */
export const MAX_DURATION_TEXT = '168h (7 days)';
