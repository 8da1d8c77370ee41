/**
 * The scenario types executors share: stages (the ramping ones), the VU pool (the arrival-rate
 * ones) and the iteration counts (the iteration ones), as a plan writes them and validated. Each
 * executor's own types are in its folder (`<name>/config.ts`); `plan/types.ts` makes the plan's
 * unions of them.
 */
import type { Duration } from '../plan/duration.ts';

export interface Stage {
  duration: Duration;
  target: number;
}

/** A validated stage. */
export interface StageMs {
  durationMs: number;
  target: number;
}

/** What an arrival with every VU busy does: it is dropped, or waits for a VU. */
export type OnSaturation = 'drop' | 'queue';

export interface VuPoolKeys {
  maxVUs: number;
  preAllocatedVUs?: number;
  onSaturation?: OnSaturation;
}

/** A validated VU pool. */
export interface VuPool {
  maxVUs: number;
  preAllocatedVUs: number;
  onSaturation: OnSaturation;
}

export interface IterationKeys {
  vus: number;
  iterations: number;
  maxDuration?: Duration;
}

/** Validated iteration counts. */
export interface IterationFields {
  vus: number;
  iterations: number;
  maxDurationMs: number;
}
