/**
 * Unit operations (reserve, release, consume) under a chosen isolation strategy:
 * - `serializable` (default): SERIALIZABLE transactions of one statement (one round trip),
 *   retried on serialization failures (40001) and deadlocks (40P01) with jittered exponential
 *   backoff, at most `maxAttempts` times.
 * - `row-lock`: READ COMMITTED with SELECT ... FOR UPDATE in the same single statement.
 *
 * Both safe strategies first queue operations on the same authorization inside this process:
 * requests racing for one row would otherwise mostly wait for each other in PostgreSQL and then
 * fail and retry. The queue only removes pointless conflicts; correctness still rests on the
 * database (another instance of the service races through its own transactions).
 *
 * Group commit: at most `concurrency` transactions are in flight; operations that arrive while
 * they are all busy wait, and the next transaction applies up to `maxGroup` of them in turn
 * (each checked, applied and written to the ledger as if alone; never two on one authorization,
 * which the queue above keeps apart). A transaction and its commit cost PostgreSQL more than the
 * operation inside it, so under load a group costs much less per operation, and when load is
 * light every operation still has a transaction of its own at once. Every operation is
 * answered only after its transaction committed; a group that fails on a conflict is retried
 * whole, and one that fails otherwise is retried one operation per transaction, so that the
 * error is answered only to the operation that caused it. `maxGroup: 1` gives every operation
 * a transaction of its own.
 *
 * The app builds its unit operations through `UnitApplier`, so that tests can put a double in
 * their place (test/services/doubles/: an unsafe check-then-act strategy that overbooks, and
 * transactions that fail to serialize); none of those faults lives here.
 */
import type pg from 'pg';

export type Strategy = 'serializable' | 'row-lock';
export type Operation = 'RESERVE' | 'RELEASE' | 'CONSUME';

export type OperationResult =
  /** `replayed`: a retry with the Idempotency-Key of an operation done before; nothing written. */
  | { result: 'ok'; authorization: Record<string, unknown>; replayed?: boolean }
  /** The Idempotency-Key was used before for another operation (`first`: op, authorization, units). */
  | { result: 'key_reused'; first: string }
  | { result: 'not_found' }
  | { result: 'unknown_user' }
  | { result: 'inactive'; status: string }
  | { result: 'conflict'; reason: string; available?: number; scheduled?: number; requested: number }
  | { result: 'retries_exhausted'; attempts: number };

/** What the app asks of its unit operations. */
export interface UnitApplier {
  apply(
    authId: string,
    orgId: string,
    userId: string,
    op: Operation,
    units: number,
    /** The request's Idempotency-Key: the operation is done once per key, and replayed after. */
    key?: string,
  ): Promise<OperationResult>;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 1000 };

const RETRYABLE = new Set(['40001', '40P01']);

export interface UnitOperationsOptions {
  pool: pg.Pool;
  strategy: Strategy;
  retry?: RetryPolicy;
  onRetry?: () => void;
  /** A transaction of `operations` unit operations committed. */
  onTransaction?: (operations: number) => void;
  /** Unit-operation transactions in flight at once (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /** Operations one transaction applies at most (default DEFAULT_MAX_GROUP; 1: no grouping). */
  maxGroup?: number;
}

export const DEFAULT_CONCURRENCY = 1;
export const DEFAULT_MAX_GROUP = 16;

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

/** An operation waiting for its transaction, or in one. */
export interface QueuedOperation {
  authId: string;
  orgId: string;
  userId: string;
  op: Operation;
  units: number;
  key: string | undefined;
  /** Attempts made so far (transactions this operation was part of that failed). */
  attempts: number;
  /** Run in a transaction of its own (after its group failed with an error that is not a conflict). */
  alone: boolean;
  resolve(r: OperationResult): void;
  reject(e: unknown): void;
}

export class UnitOperations implements UnitApplier {
  private readonly retry: RetryPolicy;
  private readonly queue = new KeyedQueue();
  private readonly concurrency: number;
  private readonly maxGroup: number;
  /** Operations waiting for a transaction, oldest first. */
  private readonly waiting: QueuedOperation[] = [];
  private inFlight = 0;

  constructor(private readonly o: UnitOperationsOptions) {
    this.retry = o.retry ?? DEFAULT_RETRY;
    this.concurrency = o.concurrency ?? DEFAULT_CONCURRENCY;
    this.maxGroup = o.maxGroup ?? DEFAULT_MAX_GROUP;
  }

  apply(
    authId: string,
    orgId: string,
    userId: string,
    op: Operation,
    units: number,
    key?: string,
  ): Promise<OperationResult> {
    return this.queue.run(
      authId,
      () =>
        new Promise<OperationResult>((resolve, reject) => {
          this.waiting.push({
            authId,
            orgId,
            userId,
            op,
            units,
            key,
            attempts: 0,
            alone: false,
            resolve,
            reject,
          });
          this.pump();
        }),
    );
  }

  /** Starts transactions for waiting operations while fewer than `concurrency` are in flight. */
  private pump(): void {
    while (this.inFlight < this.concurrency && this.waiting.length > 0) {
      const group = this.takeGroup();
      this.inFlight++;
      void this.execute(group).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The oldest waiting operation and, unless it must run alone, the next ones up to maxGroup. */
  private takeGroup(): QueuedOperation[] {
    const first = this.waiting.shift() as QueuedOperation;
    const group = [first];
    if (first.alone) return group;
    for (let i = 0; i < this.waiting.length && group.length < this.maxGroup; ) {
      const p = this.waiting[i] as QueuedOperation;
      if (p.alone) i++;
      else group.push(...this.waiting.splice(i, 1));
    }
    // One order for every transaction, so that row locks taken by two groups (of two instances
    // of the service) can never wait for each other in a cycle.
    return group.sort((a, b) => (a.authId < b.authId ? -1 : a.authId > b.authId ? 1 : 0));
  }

  private async execute(group: QueuedOperation[]): Promise<void> {
    let results: OperationResult[];
    try {
      results = await this.transaction(group);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code && RETRYABLE.has(code)) {
        // The group again, together, after one backoff; operations out of attempts answer 503.
        const again: QueuedOperation[] = [];
        for (const p of group) {
          p.attempts++;
          if (p.attempts < this.retry.maxAttempts) again.push(p);
          else p.resolve({ result: 'retries_exhausted', attempts: p.attempts });
        }
        if (again.length > 0) {
          this.o.onRetry?.();
          const attempts = Math.max(...again.map((p) => p.attempts));
          setTimeout(
            () => {
              this.waiting.unshift(...again);
              this.pump();
            },
            delayFor(attempts - 1, this.retry),
          );
        }
      } else if (group.length > 1) {
        // Another kind of error: each operation again in a transaction of its own, so that
        // the error reaches only the operation that caused it.
        for (const p of group) p.alone = true;
        this.waiting.unshift(...group);
      } else {
        (group[0] as QueuedOperation).reject(e);
      }
      return;
    }
    this.o.onTransaction?.(group.length);
    group.forEach((p, i) => {
      p.resolve(results[i] as OperationResult);
    });
  }

  /** One transaction (one statement, one round trip) applying each operation of the group in turn. */
  protected async transaction(group: QueuedOperation[]): Promise<OperationResult[]> {
    const lock = this.o.strategy === 'row-lock';
    // Operations without a key take the plain function; keyed ones the function that keeps the
    // key beside the write (apply_keyed_unit_operation, migration 005).
    const keyed = group.some((p) => p.key !== undefined);
    const name = `${keyed ? 'keyed_' : ''}${lock ? 'lock' : 'serializable'}`;
    // A lone operation (every one under light load) takes the plain call: the unnest form costs
    // PostgreSQL about 25 µs more per transaction (pgbench here, 283 against 254 µs).
    if (group.length === 1) {
      const p = group[0] as QueuedOperation;
      const { rows } = await this.o.pool.query({
        name: `apply_unit_operation_${name}`,
        text: keyed
          ? `SELECT apply_keyed_unit_operation($6, $1, $2, $3, $4, $5, ${lock}) AS r`
          : `SELECT apply_unit_operation($1, $2, $3, $4, $5, ${lock}) AS r`,
        values: [p.authId, p.orgId, p.userId, p.op, p.units, ...(keyed ? [p.key] : [])],
      });
      return [rows[0].r as OperationResult];
    }
    const { rows } = await this.o.pool.query({
      name: `apply_unit_operations_${name}`,
      text: keyed
        ? `SELECT i, apply_keyed_unit_operation(k, a, o, u, op, n, ${lock}) AS r
             FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::integer[], $6::text[])
                  WITH ORDINALITY AS t(a, o, u, op, n, k, i)`
        : `SELECT i, apply_unit_operation(a, o, u, op, n, ${lock}) AS r
             FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::integer[])
                  WITH ORDINALITY AS t(a, o, u, op, n, i)`,
      values: [
        group.map((p) => p.authId),
        group.map((p) => p.orgId),
        group.map((p) => p.userId),
        group.map((p) => p.op),
        group.map((p) => p.units),
        ...(keyed ? [group.map((p) => p.key ?? null)] : []),
      ],
    });
    const results: OperationResult[] = [];
    for (const row of rows) results[Number(row.i) - 1] = row.r as OperationResult;
    if (rows.length !== group.length)
      throw new Error(`${rows.length} results for ${group.length} operations`);
    return results;
  }
}
