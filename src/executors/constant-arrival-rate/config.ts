/** constant-arrival-rate's scenario, as a plan writes it and validated. */
import type { Duration } from '../../plan/duration.ts';
import type { VuPool, VuPoolKeys } from '../config.ts';

export interface ConstantArrivalRateKeys extends VuPoolKeys {
  executor: 'constant-arrival-rate';
  /** Iterations started per `timeUnit` (default per second). */
  rate: number;
  timeUnit?: Duration;
  duration: Duration;
}

export interface ConstantArrivalRateConfig extends VuPool {
  executor: 'constant-arrival-rate';
  ratePerSec: number;
  durationMs: number;
}
