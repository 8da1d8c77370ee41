/**
 * Test double of the clinic's unit operations: check a read, then apply the change, in separate
 * statements with no lock, the classic check-then-act race. It overbooks under concurrency; it
 * exists only for the tests that prove the integrity check can fail.
 */
import type pg from 'pg';
import type { ClinicOptions } from '../../../services/clinic/app.ts';
import type { Operation, OperationResult, UnitApplier } from '../../../services/clinic/units.ts';

export class UnsafeUnitOperations implements UnitApplier {
  constructor(
    private readonly pool: pg.Pool,
    /** Pause between the read and the write, to widen the race. */
    private readonly gapMs: number,
  ) {}

  async apply(
    authId: string,
    orgId: string,
    userId: string,
    op: Operation,
    units: number,
  ): Promise<OperationResult> {
    const db = this.pool;
    const { rows } = await db.query('SELECT * FROM authorizations WHERE id = $1 AND organization_id = $2', [
      authId,
      orgId,
    ]);
    const a = rows[0];
    if (!a) return { result: 'not_found' };
    if (this.gapMs) await new Promise((r) => setTimeout(r, this.gapMs));
    const available = a.total_units - a.used_units - a.scheduled_units;
    if (op === 'RESERVE' && available < units)
      return { result: 'conflict', reason: 'not enough units available', available, requested: units };
    if (op !== 'RESERVE' && a.scheduled_units < units)
      return {
        result: 'conflict',
        reason: 'not enough units scheduled',
        scheduled: a.scheduled_units,
        requested: units,
      };
    const scheduled = a.scheduled_units + (op === 'RESERVE' ? units : -units);
    const used = a.used_units + (op === 'CONSUME' ? units : 0);
    // The check above used a stale read; the write applies the change to whatever is there now.
    await db.query(
      'UPDATE authorizations SET scheduled_units = scheduled_units + $2, used_units = used_units + $3 WHERE id = $1',
      [authId, op === 'RESERVE' ? units : -units, op === 'CONSUME' ? units : 0],
    );
    await db.query(
      `INSERT INTO unit_ledger (authorization_id, user_id, operation, units, scheduled_before, scheduled_after, used_before, used_after)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [authId, userId, op, units, a.scheduled_units, scheduled, a.used_units, used],
    );
    return { result: 'ok', authorization: { ...a, scheduled_units: scheduled, used_units: used } };
  }
}

/**
 * Clinic options that put the unsafe strategy in place of the service's own. Its statements run
 * on READ COMMITTED connections, those of the row-lock strategy: on the serializable strategy's
 * connections every statement is SERIALIZABLE, and the race would end in serialization failures
 * instead of lost updates.
 */
export function unsafeStrategy(o: { gapMs: number }): Pick<ClinicOptions, 'strategy' | 'unitOperations'> {
  return {
    strategy: 'row-lock',
    unitOperations: ({ pool }) => new UnsafeUnitOperations(pool, o.gapMs),
  };
}
