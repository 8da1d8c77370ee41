/** ramping-vus's scenario, as a plan writes it and validated. */
import type { Stage, StageMs } from '../config.ts';

export interface RampingVusKeys {
  executor: 'ramping-vus';
  startVUs?: number;
  stages: Stage[];
}

export interface RampingVusConfig {
  executor: 'ramping-vus';
  startVUs: number;
  stages: StageMs[];
}
