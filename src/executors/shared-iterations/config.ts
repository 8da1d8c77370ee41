/** shared-iterations's scenario, as a plan writes it and validated. */
import type { IterationFields, IterationKeys } from '../config.ts';

export interface SharedIterationsKeys extends IterationKeys {
  executor: 'shared-iterations';
}

export interface SharedIterationsConfig extends IterationFields {
  executor: 'shared-iterations';
}
