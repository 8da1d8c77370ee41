/**
 * Runs a plan: setup, checks before, the load on N threads with checks during it, checks after,
 * teardown; then thresholds and the verdict. The main thread merges what the threads send;
 * percentiles come from merged histograms, never from averages.
 */
import { availableParallelism, networkInterfaces } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CheckRunner } from '../checks/check-runner.ts';
import { LoadproofError, UsageError } from '../errors.ts';
import { initHistograms } from '../metrics/histogram.ts';
import { SeriesLimit } from '../metrics/series-limit.ts';
import { MetricStore } from '../metrics/store.ts';
import { Timeline } from '../metrics/timeline.ts';
import { renderPrometheus, serveMetrics } from '../outputs/prometheus.ts';
import { buildResults } from '../outputs/results.ts';
import type { ResultsFile, ThresholdResult, TimelinePoint } from '../outputs/results-types.ts';
import { loadData } from '../plan/data.ts';
import type { PlanFileOptions } from '../plan/load.ts';
import { applyOverrides, type Overrides } from '../plan/overrides.ts';
import type { Plan } from '../plan/types.ts';
import { evaluateThreshold } from '../verdict/thresholds.ts';
import { VERSION } from '../version.ts';
import { realClock } from './clock.ts';
import { scenarioDurationMs } from './executors/context.ts';
import { ThreadRun, type Tick } from './thread-run.ts';
import type { MainToWorker, WorkerData, WorkerToMain } from './worker-protocol.ts';

export class SetupError extends LoadproofError {
  override readonly code = 'SETUP_FAILED';
  override readonly exitCode = 2;
}

export interface Progress {
  elapsedMs: number;
  /** Nominal length of the run (the longest scenario's end), without gracefulStop. */
  plannedMs: number;
  requests: number;
  iterations: number;
  dropped: number;
  errors: number;
  failed: number;
  last?: TimelinePoint;
}

export interface RunOptions {
  plan: Plan;
  /** The plan's file: needed to run on more than one thread (each thread imports it). */
  file?: string;
  baseDir?: string;
  workers?: number;
  overrides?: Overrides;
  /** How the plan file was read, so that every worker reads it the same way. */
  planOptions?: PlanFileOptions;
  env?: Record<string, string>;
  /** Aborting it stops the run gracefully (SIGINT). */
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** HOST:PORT to serve live metrics for Prometheus on while the run goes on. */
  prometheus?: string;
  /** Called with the live metrics URL once it listens. */
  onMetricsServer?: (url: string) => void;
  onLog?: (message: string) => void;
}

/**
 * Worker threads when none are asked for: one per core, less one when the target runs on this
 * machine (a loopback address, localhost, or an address of one of its interfaces), since the
 * server then needs a core too. On 2 cores with bench/server.mjs, a second worker cost throughput
 * (66,206 against 60,352 req/s at best, 16.2 against 21.7 µs of CPU per request), raised p99 at a
 * fixed 5000/s and nearly doubled the CPU spent (README, "Generator").
 */
export function defaultWorkers(target?: string): number {
  const cores = Math.max(1, availableParallelism());
  return target !== undefined && isLocalTarget(target) ? Math.max(1, cores - 1) : cores;
}

/** Whether a target URL points at this machine, judged without a DNS lookup. */
export function isLocalTarget(target: string): boolean {
  let host: string;
  try {
    host = new URL(target).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.startsWith('[')) host = host.slice(1, -1);
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '::') return true;
  if (host === '0.0.0.0' || /^127\.\d+\.\d+\.\d+$/.test(host)) return true;
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.address.toLowerCase() === host) return true;
  return false;
}

/** Nominal end of the run in ms: the latest scenario start + duration. */
export function plannedDurationMs(plan: Plan): number {
  return Math.max(0, ...plan.scenarios.map((s) => s.startTimeMs + scenarioDurationMs(s.config)));
}

interface Thread {
  send(m: MainToWorker): void;
  done: Promise<void>;
}

export async function runPlan(options: RunOptions): Promise<ResultsFile> {
  await initHistograms();
  const plan = applyOverrides(options.plan, options.overrides ?? {});
  const workers = options.workers ?? (options.file ? defaultWorkers(plan.target) : 1);
  if (!Number.isInteger(workers) || workers < 1)
    throw new UsageError(`--workers must be a positive integer, got ${workers}`);
  if (workers > 1 && !options.file)
    throw new UsageError('running on several workers needs the plan as a file');
  const log = options.onLog ?? (() => {});
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  const baseDir = options.baseDir ?? process.cwd();
  const data = loadData(plan.data, baseDir);

  let setup: unknown;
  if (plan.setup) {
    try {
      setup = await plan.setup({ env, target: plan.target });
    } catch (e) {
      throw new SetupError(`setup() failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (workers > 1) {
      try {
        structuredClone(setup);
      } catch {
        throw new SetupError('setup() must return plain data (it is copied to every worker thread)');
      }
    }
  }
  const store = new MetricStore();
  const checks = new CheckRunner(
    plan.checks,
    {
      setup,
      env,
      counter: (name) => store.counter(name),
      counterNames: (prefix = '') => [...store.counters.keys()].filter((n) => n.startsWith(prefix)),
    },
    (name, phase, message) => log(`check ${name} failed (${phase}): ${message}`),
  );
  await checks.runPhase('before');

  const timeline = new Timeline(workers);
  const plannedMs = plannedDurationMs(plan);
  const startedAt = new Date();
  let epoch = 0;
  let interruptReason: string | undefined;
  let threads: Thread[] = [];
  const stopAll = (reason: string) => {
    if (interruptReason) return;
    interruptReason = reason;
    for (const t of threads) t.send({ type: 'stop' });
  };
  const thresholdState = new Map<string, ThresholdResult>();
  const abortable = plan.thresholds.filter((t) => t.abortOnFail);
  const onTick = (index: number, tick: Tick) => {
    store.merge(tick.delta);
    timeline.add(index, tick.second, tick.timeline, tick.final);
    const elapsedMs = realClock.now() - epoch;
    for (const spec of abortable) {
      if (elapsedMs < spec.delayAbortEvalMs || interruptReason) continue;
      const r = evaluateThreshold(spec, store, plan.metricTypes, elapsedMs);
      if (r.level === 'FAIL' && r.actual !== null) {
        thresholdState.set(`${spec.key} ${spec.expression}`, { ...r, aborted: true });
        log(`threshold ${spec.key} ${spec.expression} failed (actual ${r.actual}): aborting the run`);
        stopAll(`threshold ${spec.key} ${spec.expression} failed`);
      }
    }
    options.onProgress?.({
      elapsedMs,
      plannedMs,
      requests: store.counter('http_reqs'),
      iterations: store.counter('iterations'),
      dropped: store.counter('dropped_iterations'),
      errors: [...(store.errors.get('')?.values() ?? [])].reduce((a, b) => a + b, 0),
      failed: store.rate('http_req_failed')[0],
      last: timeline.latest(),
    });
  };

  const metricsServer = options.prometheus
    ? await serveMetrics(options.prometheus, () => renderPrometheus(store))
    : undefined;
  if (metricsServer) options.onMetricsServer?.(metricsServer.url);
  const onSignal = () => stopAll('stopped by signal (SIGINT)');
  options.signal?.addEventListener('abort', onSignal, { once: true });
  try {
    threads =
      workers === 1
        ? [inProcessThread(plan, setup, data, env, onTick, log)]
        : await startWorkers(
            options.file as string,
            workers,
            setup,
            env,
            options.overrides ?? {},
            options.planOptions ?? {},
            onTick,
            log,
          );
    epoch = realClock.now() + 20;
    for (const t of threads) t.send({ type: 'start', epoch });
    if (options.signal?.aborted) onSignal();
    const duringStop = new AbortController();
    const during = checks.runDuring(duringStop.signal);
    try {
      await Promise.all(threads.map((t) => t.done));
    } finally {
      duringStop.abort();
      await during;
    }
  } finally {
    options.signal?.removeEventListener('abort', onSignal);
    await metricsServer?.close();
  }
  const durationMs = realClock.now() - epoch;
  await checks.runPhase('after');
  if (plan.teardown) {
    try {
      await plan.teardown(setup, { env, target: plan.target });
    } catch (e) {
      log(`teardown() failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const thresholds = plan.thresholds.map(
    (spec) =>
      thresholdState.get(`${spec.key} ${spec.expression}`) ??
      evaluateThreshold(spec, store, plan.metricTypes, durationMs),
  );
  const results = buildResults({
    plan,
    ...(options.file ? { file: options.file } : {}),
    store,
    timeline: timeline.finish(),
    startedAt,
    durationMs,
    interrupted: interruptReason !== undefined,
    ...(interruptReason ? { interruptReason } : {}),
    workers,
    thresholds,
    checks: checks.list(),
    version: VERSION,
  });
  store.destroy();
  return results;
}

function inProcessThread(
  plan: Plan,
  setup: unknown,
  data: Record<string, readonly unknown[]>,
  env: Record<string, string | undefined>,
  onTick: (index: number, tick: Tick) => void,
  log: (m: string) => void,
): Thread {
  let run: ThreadRun | undefined;
  let stopped = false;
  let resolveDone: () => void = () => {};
  let rejectDone: (e: unknown) => void = () => {};
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  return {
    done,
    send(m) {
      if (m.type === 'stop') {
        stopped = true;
        run?.stop();
        return;
      }
      run = new ThreadRun({
        plan,
        index: 0,
        count: 1,
        epoch: m.epoch,
        setup,
        data,
        env,
        onTick: (t) => onTick(0, t),
        onLog: log,
      });
      if (stopped) run.stop();
      run.run().then(resolveDone, rejectDone);
    },
  };
}

async function startWorkers(
  file: string,
  count: number,
  setup: unknown,
  env: Record<string, string | undefined>,
  overrides: Overrides,
  planOptions: PlanFileOptions,
  onTick: (index: number, tick: Tick) => void,
  log: (m: string) => void,
): Promise<Thread[]> {
  const entry = new URL('./worker-entry.mjs', import.meta.url);
  // One table for all workers, so that they fold the same names.
  const seriesLimit = SeriesLimit.create().buffer;
  const started = Array.from({ length: count }, (_, index) => {
    const workerData: WorkerData = { file, index, count, setup, env, overrides, planOptions, seriesLimit };
    const worker = new Worker(entry, { workerData, stdout: false, stderr: false });
    let failure: Error | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: WorkerToMain) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'tick') onTick(m.index, m.tick);
        else if (m.type === 'log') log(m.message);
        else if (m.type === 'error') {
          failure = Object.assign(new LoadproofError(m.message), m.code ? { code: m.code } : {});
          reject(failure);
        }
      });
      worker.once('error', reject);
      worker.once('exit', () => reject(failure ?? new Error(`worker ${index} exited before it was ready`)));
    });
    const done = new Promise<void>((resolve, reject) => {
      worker.once('exit', () => (failure ? reject(failure) : resolve()));
      worker.once('error', reject);
    });
    done.catch(() => {});
    return { worker, ready, done };
  });
  try {
    await Promise.all(started.map((s) => s.ready));
  } catch (e) {
    await Promise.all(started.map((s) => s.worker.terminate()));
    throw e;
  }
  return started.map((s) => ({ send: (m: MainToWorker) => s.worker.postMessage(m), done: s.done }));
}
