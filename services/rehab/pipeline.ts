/**
 * The projection pipeline (the service's Broadway). A dispatcher reads committed events in
 * stream order in batches of at most `batchSize`, as soon as the writer reports a commit (and
 * at least every `batchTimeoutMs` in case it was not told), and splits each batch over
 * `processors` partitions by subject, so each patient's events are applied in order. Each
 * processor applies what it has queued in one statement that also advances its own checkpoint:
 * an event is projected exactly once, across restarts too; a retry after an error first reads its
 * checkpoint, since a statement whose answer was lost (the server crashed as it committed) may
 * have been applied.
 *
 * A batch is not held back to fill up: under light load batches are small and the lag is one
 * round trip; under heavy load they grow (up to batchSize per read, and a busy processor merges
 * what queued up meanwhile), which is where batching pays.
 *
 * At start the pipeline settles: events between the lowest and highest checkpoint are applied
 * for the partitions that had not yet applied them (under the partition count they were
 * written with), and every checkpoint moves to the highest. Only one pipeline runs per
 * database: it holds an advisory lock for its lifetime.
 */
import pg from 'pg';
import {
  applyDeltas,
  type Deltas,
  emptyDeltas,
  fold,
  type LogEvent,
  PIPELINE_LOCK,
  partitionOf,
  resetCheckpoints,
  SELECT_EVENTS,
  toLogEvent,
} from './projections.ts';

export interface PipelineOptions {
  databaseUrl: string;
  batchSize?: number;
  batchTimeoutMs?: number;
  processors?: number;
  /** Batches read ahead of the slowest processor (default 8): bounds memory. */
  maxBatchesAhead?: number;
  onError?: (message: string, error: unknown) => void;
}

interface Batch {
  hi: number;
  pending: number;
  size: number;
  readAt: number;
}

interface SubBatch {
  batch: Batch;
  events: LogEvent[];
}

class Processor {
  queue: SubBatch[] = [];
  busy = false;
  events = 0;
  statements = 0;

  constructor(
    readonly id: number,
    private readonly pipeline: Pipeline,
  ) {}

  enqueue(s: SubBatch): void {
    this.queue.push(s);
    if (!this.busy) void this.run();
  }

  private async run(): Promise<void> {
    this.busy = true;
    while (this.queue.length > 0) {
      const subs = this.queue.splice(0);
      const events = subs.flatMap((s) => s.events);
      const hi = (subs[subs.length - 1] as SubBatch).batch.hi;
      const deltas = fold(emptyDeltas(), events);
      for (let attempt = 0; ; attempt++) {
        try {
          // An attempt whose answer was lost (the server crashed as it committed) may have been
          // applied: its checkpoint says so. Applying it again would count its events twice.
          if (attempt > 0 && (await this.pipeline.checkpointOf(this.id)) >= hi) break;
          await this.pipeline.applyStatement(this.id, deltas, hi);
          break;
        } catch (e) {
          // Never skip events: retry until it works (the backlog grows and backpressure starts).
          this.pipeline.reportError(`processor ${this.id}: ${(e as Error).message}; retrying`, e);
          await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt)));
        }
      }
      this.events += events.length;
      this.statements++;
      this.pipeline.completed(subs, events);
    }
    this.busy = false;
  }
}

/** Keeps the last `size` samples for percentiles (no growth in long runs). */
export class SampleRing {
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;

  constructor(size = 4096) {
    this.values = new Float64Array(size);
  }

  add(v: number): void {
    this.values[this.next] = v;
    this.next = (this.next + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
  }

  percentile(p: number): number | null {
    if (this.count === 0) return null;
    const sorted = Array.from(this.values.subarray(0, this.count)).sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
  }

  get size(): number {
    return this.count;
  }
}

export class Pipeline {
  readonly pool: pg.Pool;
  private lockClient: pg.Client | undefined;
  readonly batchSize: number;
  readonly batchTimeoutMs: number;
  readonly partitions: number;
  private readonly maxAhead: number;
  private readonly processors: Processor[];
  private readonly inFlight: Batch[] = [];
  private running = false;
  private loopDone: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweptPosition = 0;
  /** Highest position read from the log. */
  dispatchedPosition = 0;
  /** Every event up to here is in the projections. */
  lastProjectedPosition = 0;
  /** Highest position known committed (from the writer). */
  lastCommittedPosition = 0;
  batches = 0;
  eventsProjected = 0;
  readonly batchLatencyMs = new SampleRing();
  readonly projectionLagMs = new SampleRing();
  lastError: string | undefined;

  constructor(private readonly options: PipelineOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.batchTimeoutMs = options.batchTimeoutMs ?? 1000;
    this.partitions = options.processors ?? 10;
    this.maxAhead = options.maxBatchesAhead ?? 8;
    this.pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: this.partitions + 1,
      idleTimeoutMillis: 0,
    });
    this.pool.on('error', () => {});
    this.processors = Array.from({ length: this.partitions }, (_, i) => new Processor(i, this));
  }

  /**
   * One statement of processor `partition`: applies its deltas and moves its checkpoint to
   * `position`, together. (Tests decorate this step with a faulty double.)
   */
  applyStatement(partition: number, deltas: Deltas, position: number): Promise<void> {
    return applyDeltas(this.pool, deltas, [{ partition, position }]);
  }

  /** Where processor `partition`'s checkpoint stands in the database. */
  async checkpointOf(partition: number): Promise<number> {
    const { rows } = await this.pool.query(
      'SELECT position FROM projector_checkpoints WHERE partition = $1',
      [partition],
    );
    return Number(rows[0]?.position ?? 0);
  }

  reportError(message: string, error?: unknown): void {
    this.lastError = message;
    this.options.onError?.(message, error);
  }

  async start(): Promise<void> {
    this.lockClient = new pg.Client({ connectionString: this.options.databaseUrl });
    this.lockClient.on('error', () => {});
    await this.lockClient.connect();
    const { rows } = await this.lockClient.query('SELECT pg_try_advisory_lock($1) AS ok', [PIPELINE_LOCK]);
    if (!rows[0].ok) {
      await this.lockClient.end();
      throw new Error('another rehab pipeline (or a rebuild) is running on this database');
    }
    const settled = await this.settle();
    this.dispatchedPosition = settled;
    this.lastProjectedPosition = settled;
    this.sweptPosition = settled;
    const max = await this.pool.query('SELECT coalesce(max(position), 0) AS p FROM events');
    this.lastCommittedPosition = Number(max.rows[0].p);
    this.running = true;
    this.loopDone = this.loop();
    this.sweepTimer = setInterval(() => void this.sweep(), 1000);
  }

  /** Brings every partition to the highest checkpoint; returns it. */
  private async settle(): Promise<number> {
    const db = await this.pool.connect();
    try {
      await db.query('BEGIN');
      const state = await db.query('SELECT partitions FROM projector_state WHERE id = 1');
      if (state.rows.length === 0) {
        await resetCheckpoints(db, this.partitions, 0);
        await db.query('COMMIT');
        return 0;
      }
      const oldPartitions = Number(state.rows[0].partitions);
      const { rows: cps } = await db.query('SELECT partition, position FROM projector_checkpoints');
      const cp = new Map<number, number>(cps.map((r) => [Number(r.partition), Number(r.position)]));
      const positions = [...cp.values()];
      const lo = positions.length ? Math.min(...positions) : 0;
      const hi = positions.length ? Math.max(...positions) : 0;
      if (hi > lo) {
        const { rows } = await db.query(
          `${SELECT_EVENTS} WHERE position > $1 AND position <= $2 ORDER BY position`,
          [lo, hi],
        );
        const missing = rows
          .map(toLogEvent)
          .filter((e) => e.position > (cp.get(partitionOf(e.subject_id, oldPartitions)) ?? 0));
        if (missing.length > 0) await applyDeltas(db, fold(emptyDeltas(), missing), []);
      }
      await resetCheckpoints(db, this.partitions, hi);
      await db.query('COMMIT');
      return hi;
    } catch (e) {
      await db.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      db.release();
    }
  }

  /** The writer committed up to `position`. */
  notify(position: number): void {
    if (position > this.lastCommittedPosition) this.lastCommittedPosition = position;
    this.wake?.();
  }

  /** Committed events not yet projected. */
  get backlog(): number {
    return Math.max(0, this.lastCommittedPosition - this.lastProjectedPosition);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (this.inFlight.length >= this.maxAhead) {
        await this.sleep(this.batchTimeoutMs);
        continue;
      }
      if (this.lastCommittedPosition <= this.dispatchedPosition) {
        await this.sleep(this.batchTimeoutMs);
        if (!this.running) break;
      }
      let rows: Record<string, unknown>[];
      try {
        ({ rows } = await this.pool.query({
          name: 'rehab_read_batch',
          text: `${SELECT_EVENTS} WHERE position > $1 ORDER BY position LIMIT $2`,
          values: [this.dispatchedPosition, this.batchSize],
        }));
      } catch (e) {
        this.reportError(`reading the log: ${(e as Error).message}`, e);
        await this.sleep(this.batchTimeoutMs);
        continue;
      }
      if (rows.length === 0) {
        await this.sleep(this.batchTimeoutMs);
        continue;
      }
      const events = rows.map(toLogEvent);
      const hi = (events[events.length - 1] as LogEvent).position;
      if (hi > this.lastCommittedPosition) this.lastCommittedPosition = hi;
      const batch: Batch = { hi, pending: 0, size: events.length, readAt: performance.now() };
      const parts = new Map<number, LogEvent[]>();
      for (const e of events) {
        const p = partitionOf(e.subject_id, this.partitions);
        const list = parts.get(p);
        if (list) list.push(e);
        else parts.set(p, [e]);
      }
      batch.pending = parts.size;
      this.inFlight.push(batch);
      this.dispatchedPosition = hi;
      this.batches++;
      for (const [p, list] of parts) (this.processors[p] as Processor).enqueue({ batch, events: list });
    }
  }

  /** A processor applied `subs`. */
  completed(subs: SubBatch[], events: LogEvent[]): void {
    const now = Date.now();
    for (const e of events) this.projectionLagMs.add(Math.max(0, now - e.recorded_ms));
    this.eventsProjected += events.length;
    for (const s of subs) s.batch.pending--;
    while (this.inFlight.length > 0 && (this.inFlight[0] as Batch).pending === 0) {
      const b = this.inFlight.shift() as Batch;
      this.lastProjectedPosition = b.hi;
      this.batchLatencyMs.add(performance.now() - b.readAt);
    }
    this.wake?.();
  }

  /** Moves idle partitions' checkpoints up to the projected position, so a restart settles little. */
  private async sweep(): Promise<void> {
    const p = this.lastProjectedPosition;
    if (p <= this.sweptPosition) return;
    try {
      await this.pool.query('UPDATE projector_checkpoints SET position = greatest(position, $1)', [p]);
      this.sweptPosition = p;
    } catch (e) {
      this.reportError(`checkpoint sweep: ${(e as Error).message}`, e);
    }
  }

  /** Resolves once everything committed up to now is projected, or after `timeoutMs`. */
  async waitProjected(position: number, timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.lastProjectedPosition < position) {
      if (Date.now() > until) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  }

  processorStatus(): Array<{
    id: number;
    busy: boolean;
    queued_batches: number;
    events: number;
    statements: number;
  }> {
    return this.processors.map((p) => ({
      id: p.id,
      busy: p.busy,
      queued_batches: p.queue.length,
      events: p.events,
      statements: p.statements,
    }));
  }

  /** Stops reading, lets the processors finish what they hold, checkpoints, releases the lock. */
  async stop(drainTimeoutMs = 10_000): Promise<void> {
    await this.waitProjected(this.lastCommittedPosition, drainTimeoutMs);
    this.running = false;
    this.wake?.();
    await this.loopDone;
    const until = Date.now() + drainTimeoutMs;
    while (this.inFlight.length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.sweep();
    await this.pool.end();
    await this.lockClient?.end().catch(() => {});
  }
}
