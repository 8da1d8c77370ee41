/** ramping-arrival-rate's scenario, as a plan writes it and validated. */
import type { Duration } from '../../plan/duration.ts';
import type { Stage, StageMs, VuPool, VuPoolKeys } from '../config.ts';

export interface RampingArrivalRateKeys extends VuPoolKeys {
  executor: 'ramping-arrival-rate';
  startRate?: number;
  timeUnit?: Duration;
  stages: Stage[];
}

export interface RampingArrivalRateConfig extends VuPool {
  executor: 'ramping-arrival-rate';
  startRatePerSec: number;
  stages: StageMs[];
}
