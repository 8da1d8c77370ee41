/**
 * Test double of the clinic's unit operations: the real ones, except that a transaction fails
 * with a serialization failure (40001) before it runs whenever `failNow()` says so, as
 * PostgreSQL's would under contention.
 */
import type { ClinicOptions } from '../../../services/clinic/app.ts';
import {
  type OperationResult,
  type QueuedOperation,
  UnitOperations,
  type UnitOperationsOptions,
} from '../../../services/clinic/units.ts';

export class FlakyUnitOperations extends UnitOperations {
  constructor(
    options: UnitOperationsOptions,
    private readonly failNow: () => boolean,
  ) {
    super(options);
  }

  protected override transaction(group: QueuedOperation[]): Promise<OperationResult[]> {
    if (this.failNow()) {
      return Promise.reject(
        Object.assign(new Error('could not serialize access (injected)'), { code: '40001' }),
      );
    }
    return super.transaction(group);
  }
}

/** Clinic options whose unit operations fail to serialize whenever `failNow()` says so. */
export function serializationFailures(failNow: () => boolean): Pick<ClinicOptions, 'unitOperations'> {
  return { unitOperations: (options) => new FlakyUnitOperations(options, failNow) };
}
