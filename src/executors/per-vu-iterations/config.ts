/** per-vu-iterations's scenario, as a plan writes it and validated. */
import type { IterationFields, IterationKeys } from '../config.ts';

export interface PerVuIterationsKeys extends IterationKeys {
  executor: 'per-vu-iterations';
}

export interface PerVuIterationsConfig extends IterationFields {
  executor: 'per-vu-iterations';
}
