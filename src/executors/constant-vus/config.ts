/** constant-vus's scenario, as a plan writes it and validated. */
import type { Duration } from '../../plan/duration.ts';

export interface ConstantVusKeys {
  executor: 'constant-vus';
  vus: number;
  duration: Duration;
}

export interface ConstantVusConfig {
  executor: 'constant-vus';
  vus: number;
  durationMs: number;
}
