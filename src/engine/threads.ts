/**
 * The threads that run a plan's load. With a plan file, every flow runs in a worker thread (one
 * worker too), so the main thread stays free to stop, judge and write whatever a flow does: a
 * worker that exits, crashes, runs out of memory or is stuck in a synchronous loop ends with a
 * failure the run reports, and what the other workers measured is kept. A plan given as an object
 * (the programmatic API, tests) runs on the calling thread instead, since functions cannot cross
 * threads.
 */
import { Worker } from 'node:worker_threads';
import { errorFromData, LoadproofError, PlanLoadError, UsageError } from '../errors.ts';
import { SeriesLimit } from '../metrics/series-limit.ts';
import type { PlanFileOptions } from '../plan/load.ts';
import type { Overrides } from '../plan/overrides.ts';
import type { Plan } from '../plan/types.ts';
import { Activity } from './activity.ts';
import { InFlightRequests } from './in-flight.ts';
import { InstanceCounts } from './instance-counts.ts';
import type { Segment, SegmentSpec } from './segment.ts';
import { ThreadRun, type Tick } from './thread-run.ts';
import type { MainToWorker, WorkerData, WorkerToMain } from './worker-protocol.ts';

/** How a thread's share of the load ended: it finished, or it failed (message says how). */
export type ThreadOutcome = { ok: true } | { ok: false; message: string };

export interface LoadThread {
  readonly index: number;
  send(m: MainToWorker): void;
  /** Settles when the thread has ended; never rejects. */
  readonly done: Promise<ThreadOutcome>;
  /** Where its flows last ran. */
  readonly activity: Activity;
  /** Its requests sent and not yet recorded: lost with the thread if it is terminated. */
  readonly inFlight: InFlightRequests;
  /** Ends the thread at once (a stuck flow, a second signal); its outcome becomes `why`. */
  terminate(why: string): Promise<void>;
}

export interface ThreadSink {
  onTick(index: number, tick: Tick): void;
  onLog(message: string): void;
}

/** The thread count 1 without a plan file: the flows run on this thread. */
export function inProcessThread(
  plan: Plan,
  setup: unknown,
  data: Record<string, readonly unknown[]>,
  env: Record<string, string | undefined>,
  sink: ThreadSink,
  segment?: Segment,
): LoadThread {
  let run: ThreadRun | undefined;
  let stopped = false;
  let aborted = false;
  let settle: (o: ThreadOutcome) => void = () => {};
  const done = new Promise<ThreadOutcome>((resolve) => {
    settle = resolve;
  });
  const activity = new Activity();
  const inFlight = new InFlightRequests();
  return {
    index: 0,
    done,
    activity,
    inFlight,
    send(m) {
      if (m.type === 'stop') {
        stopped = true;
        run?.stop();
        return;
      }
      if (m.type === 'abort') {
        stopped = aborted = true;
        run?.abortNow();
        return;
      }
      run = new ThreadRun({
        plan,
        index: 0,
        count: 1,
        ...(segment ? { segment } : {}),
        epoch: m.epoch,
        setup,
        data,
        env,
        activity,
        inFlight,
        onTick: (t) => sink.onTick(0, t),
        onLog: sink.onLog,
      });
      if (aborted) run.abortNow();
      else if (stopped) run.stop();
      run.run().then(
        () => settle({ ok: true }),
        (e: unknown) => settle({ ok: false, message: e instanceof Error ? e.message : String(e) }),
      );
    },
    async terminate(why) {
      run?.stop();
      settle({ ok: false, message: why });
    },
  };
}

export interface WorkerOptions {
  file: string;
  /** Heap limit of each worker in MB (LOADPROOF_WORKER_HEAP_MB); Node's default without it. */
  heapMb?: number;
  count: number;
  setup: unknown;
  env: Record<string, string | undefined>;
  overrides: Overrides;
  planOptions: PlanFileOptions;
  /** The part of the run this process takes, when it is one shard of several. */
  segment?: SegmentSpec;
  /** How long a worker may take to load the plan (its init code) before the start fails. */
  readyWithinMs?: number;
}

/**
 * Starts `count` worker threads and waits until each has loaded the plan. A worker that fails
 * before it is ready (the plan does not load there) fails the start with its error, keeping the
 * error's code and exit code.
 */
export async function startWorkers(o: WorkerOptions, sink: ThreadSink): Promise<LoadThread[]> {
  const entry = new URL('./worker-entry.mjs', import.meta.url);
  // One table for all workers, so that they fold the same names.
  const shared = { seriesLimit: SeriesLimit.create().buffer, instance: InstanceCounts.newBuffer() };
  const started = Array.from({ length: o.count }, (_, index) => startWorker(entry, index, o, shared, sink));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    if (o.readyWithinMs === undefined) return;
    const s = o.readyWithinMs / 1000;
    timer = setTimeout(
      () =>
        reject(
          new PlanLoadError(
            `${o.file}: the plan's top-level code did not finish within ${s}s in a worker thread (LOADPROOF_INIT_TIMEOUT)`,
          ),
        ),
      o.readyWithinMs,
    );
  });
  late.catch(() => {});
  try {
    await Promise.race([Promise.all(started.map((s) => s.ready)), late]);
  } catch (e) {
    await Promise.all(started.map((s) => s.thread.terminate('start failed')));
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return started.map((s) => s.thread);
}

function startWorker(
  entry: URL,
  index: number,
  o: WorkerOptions,
  shared: { seriesLimit: SharedArrayBuffer; instance: SharedArrayBuffer },
  sink: ThreadSink,
): { ready: Promise<void>; thread: LoadThread } {
  const activity = new Activity();
  const inFlight = new InFlightRequests();
  const workerData: WorkerData = {
    file: o.file,
    index,
    count: o.count,
    setup: o.setup,
    env: o.env,
    overrides: o.overrides,
    planOptions: o.planOptions,
    ...(o.segment ? { segment: o.segment } : {}),
    activity: activity.buffer,
    inFlight: inFlight.buffer,
    ...shared,
  };
  const worker = new Worker(entry, {
    workerData,
    stdout: false,
    stderr: false,
    ...(o.heapMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: o.heapMb } } : {}),
  });
  let isReady = false;
  let finished = false;
  let failure: string | undefined;
  let settle: (o: ThreadOutcome) => void = () => {};
  const done = new Promise<ThreadOutcome>((resolve) => {
    settle = resolve;
  });
  let rejectReady: (e: unknown) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    rejectReady = reject;
    worker.on('message', (m: WorkerToMain) => {
      if (m.type === 'ready') {
        isReady = true;
        resolve();
      } else if (m.type === 'tick') sink.onTick(m.index, m.tick);
      else if (m.type === 'log') sink.onLog(m.message);
      else if (m.type === 'done') finished = true;
      else if (m.type === 'error') {
        if (isReady)
          failure ??= `worker ${index} failed: ${m.error.name ? `${m.error.name}: ` : ''}${m.error.message}`;
        // Before the load the error fails the start: the same class, code and exit code as if
        // it had been raised on the main thread.
        else reject(errorFromData(m.error));
      }
    });
  });
  ready.catch(() => {});
  worker.on('error', (e: Error) => {
    const message = `worker ${index} crashed: ${e.message}`;
    if (isReady) failure ??= message;
    else rejectReady(new LoadproofError(message));
  });
  worker.once('exit', (code) => {
    if (!isReady)
      rejectReady(new LoadproofError(`worker ${index} exited (code ${code}) before it was ready`));
    if (finished && failure === undefined) settle({ ok: true });
    else
      settle({
        ok: false,
        message:
          failure ??
          `worker ${index} exited (code ${code}) before its share of the load finished: process.exit() in a flow?`,
      });
  });
  return {
    ready,
    thread: {
      index,
      done,
      activity,
      inFlight,
      send: (m) => worker.postMessage(m),
      async terminate(why) {
        failure ??= why;
        await worker.terminate();
      },
    },
  };
}

/** LOADPROOF_WORKER_HEAP_MB: a positive whole number of MB, or undefined when unset. */
export function workerHeapMb(env: Record<string, string | undefined>): number | undefined {
  const v = env.LOADPROOF_WORKER_HEAP_MB;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 16)
    throw new UsageError(`LOADPROOF_WORKER_HEAP_MB: expected a whole number of MB, at least 16, got "${v}"`);
  return n;
}
