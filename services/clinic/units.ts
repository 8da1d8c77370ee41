/**
 * Unit operations (reserve, release, consume) under a chosen isolation strategy:
 * - `serializable` (default): one SERIALIZABLE transaction of one statement (one round trip),
 *   retried on serialization failures (40001) and deadlocks (40P01) with jittered exponential
 *   backoff, at most `maxAttempts` times.
 * - `row-lock`: READ COMMITTED with SELECT ... FOR UPDATE in the same single statement.
 *
 * Both safe strategies first queue operations on the same authorization inside this process:
 * requests racing for one row would otherwise mostly wait for each other in PostgreSQL and then
 * fail and retry. The queue only removes pointless conflicts; correctness still rests on the
 * database (another instance of the service races through its own transactions).
 *
 * - `unsafe`: check a read, then apply the change, in separate statements with no lock: the
 *   classic check-then-act race. It overbooks under concurrency; it exists only for the test that proves the integrity
 *   check can fail, and no configuration of the running service can choose it.
 */
import type pg from 'pg';

export type Strategy = 'serializable' | 'row-lock';
export type Operation = 'RESERVE' | 'RELEASE' | 'CONSUME';

export type OperationResult =
  | { result: 'ok'; authorization: Record<string, unknown> }
  | { result: 'not_found' }
  | { result: 'unknown_user' }
  | { result: 'inactive'; status: string }
  | { result: 'conflict'; reason: string; available?: number; scheduled?: number; requested: number }
  | { result: 'retries_exhausted'; attempts: number };

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 1000 };

const RETRYABLE = new Set(['40001', '40P01']);

export interface UnitOperationsOptions {
  pool: pg.Pool;
  strategy: Strategy | 'unsafe';
  retry?: RetryPolicy;
  onRetry?: () => void;
  /** Tests only: this many attempts fail with a serialization failure before the real one runs. */
  injectSerializationFailures?: () => boolean;
  /** Tests only (unsafe strategy): pause between the read and the write, to widen the race. */
  unsafeGapMs?: number;
}

function delayFor(attempt: number, p: RetryPolicy): number {
  const cap = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** attempt);
  return Math.random() * cap;
}

/** Runs tasks one after another per key; keys do not wait for each other. */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(task, task);
    const tail = next.catch(() => {});
    this.tails.set(key, tail);
    tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

export class UnitOperations {
  private readonly retry: RetryPolicy;
  private readonly queue = new KeyedQueue();

  constructor(private readonly o: UnitOperationsOptions) {
    this.retry = o.retry ?? DEFAULT_RETRY;
  }

  apply(
    authId: string,
    orgId: string,
    userId: string,
    op: Operation,
    units: number,
  ): Promise<OperationResult> {
    if (this.o.strategy === 'unsafe') return this.withRetries(authId, orgId, userId, op, units);
    return this.queue.run(authId, () => this.withRetries(authId, orgId, userId, op, units));
  }

  private async withRetries(
    authId: string,
    orgId: string,
    userId: string,
    op: Operation,
    units: number,
  ): Promise<OperationResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (this.o.injectSerializationFailures?.()) {
          throw Object.assign(new Error('could not serialize access (injected)'), { code: '40001' });
        }
        return this.o.strategy === 'unsafe'
          ? await this.unsafe(authId, orgId, userId, op, units)
          : await this.once(authId, orgId, userId, op, units);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (!code || !RETRYABLE.has(code)) throw e;
        if (attempt + 1 >= this.retry.maxAttempts)
          return { result: 'retries_exhausted', attempts: attempt + 1 };
        this.o.onRetry?.();
        await new Promise((r) => setTimeout(r, delayFor(attempt, this.retry)));
      }
    }
  }

  private async once(authId: string, orgId: string, userId: string, op: Operation, units: number) {
    const lock = this.o.strategy === 'row-lock';
    const { rows } = await this.o.pool.query({
      name: lock ? 'apply_unit_operation_lock' : 'apply_unit_operation',
      text: `SELECT apply_unit_operation($1, $2, $3, $4, $5, ${lock}) AS r`,
      values: [authId, orgId, userId, op, units],
    });
    return rows[0].r as OperationResult;
  }

  private async unsafe(
    authId: string,
    orgId: string,
    userId: string,
    op: Operation,
    units: number,
  ): Promise<OperationResult> {
    const db = this.o.pool;
    const { rows } = await db.query('SELECT * FROM authorizations WHERE id = $1 AND organization_id = $2', [
      authId,
      orgId,
    ]);
    const a = rows[0];
    if (!a) return { result: 'not_found' };
    if (this.o.unsafeGapMs) await new Promise((r) => setTimeout(r, this.o.unsafeGapMs));
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
