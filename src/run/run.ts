/**
 * Runs a plan: setup, checks before, the load on N threads with checks during it, checks after,
 * teardown; then thresholds and the verdict. The main thread merges what the threads send;
 * percentiles come from merged histograms, never from averages.
 */
import { CheckRunner } from '../checks/check-runner.ts';
import { realClock } from '../engine/clock.ts';
import { envImplementation } from '../engine/http-client.ts';
import { Segment } from '../engine/segment.ts';
import type { Tick } from '../engine/thread-run.ts';
import { inProcessThread, type LoadThread, startWorkers, workerHeapMb } from '../engine/threads.ts';
import { SetupError, UsageError } from '../errors.ts';
import { initHistograms } from '../metrics/histogram.ts';
import { scenarioKey } from '../metrics/keys.ts';
import { MetricStore } from '../metrics/store.ts';
import { Timeline } from '../metrics/timeline.ts';
import { OtlpExporter, otlpEndpoint } from '../outputs/otlp-exporter.ts';
import type { Progress } from '../outputs/progress.ts';
import { renderPrometheus, serveMetrics } from '../outputs/prometheus.ts';
import { ScenarioTimeline } from '../outputs/scenario-timeline.ts';
import { SeriesStream } from '../outputs/series-stream.ts';
import { loadData } from '../plan/data.ts';
import type { PlanFileOptions } from '../plan/load.ts';
import { applyOverrides, type Overrides } from '../plan/overrides.ts';
import type { Plan } from '../plan/types.ts';
import type { ResultsFile, ThresholdResult } from '../results/types.ts';
import { redactString } from '../results/without-secrets.ts';
import { evaluateThreshold } from '../verdict/thresholds.ts';
import { VERSION } from '../version.ts';
import { buildResults } from './build-results.ts';
import { withHookFailure } from './hook-failure.ts';
import { initTimeoutMs } from './init-timeout.ts';
import { countLostRequests } from './lost-requests.ts';
import { plannedArrivals } from './planned-arrivals.ts';
import { maxGracefulStopMs, plannedDurationMs, plannedEndMs } from './planned-time.ts';
import { progressOf } from './progress.ts';
import { type ShardIdentity, ShardRecorder } from './shard-recorder.ts';
import { assertStartReachable, segmentProblems } from './shard-start.ts';
import { STUCK_MARGIN_MS, signalName, stuckMessage } from './stop.ts';
import { stopAtOnce } from './stop-at-once.ts';
import { withinTime } from './within-time.ts';
import { defaultWorkers } from './workers.ts';

/** setup()'s and teardown()'s time limit when the plan sets none (k6's). */
export const HOOK_TIMEOUT_MS = 60_000;

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
  /** Aborting it stops the run gracefully (a signal); its reason names the signal. */
  signal?: AbortSignal;
  /** Aborting it stops the run at once (a second signal): in-flight requests are aborted (ABORTED), a worker that does not hand over its last tick within 3 s is terminated, after checks and teardown are skipped, what was collected is returned. */
  forceSignal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** HOST:PORT to serve live metrics for Prometheus on while the run goes on. */
  prometheus?: string;
  /**
   * Keeps the metrics server up after the run, serving the last figures, until the function it is
   * given is called; without it the server closes when the load ends.
   */
  keepMetricsServer?: (close: () => Promise<void>) => void;
  /**
   * Called once per second of the run, in order, with that second's figures merged over the
   * threads (freed after the call): the source of streaming outputs.
   */
  onSecond?: (second: number, epochMs: number, figures: MetricStore) => void;
  /** Push metrics to this OpenTelemetry collector (OTLP/HTTP JSON) every `otlpIntervalMs` and at the end. */
  otlp?: string;
  otlpIntervalMs?: number;
  /** Called with the live metrics URL once it listens. */
  onMetricsServer?: (url: string) => void;
  onLog?: (message: string) => void;
  /** Called when a hook of the plan (`teardown()`) fails, with what it said (also logged). */
  onHookFailure?: (message: string) => void;
  /** This process is one shard of a sharded run: it takes its segment and is judged only once merged. */
  shard?: ShardIdentity;
  /** Wall-clock time (epoch ms) at which the load starts, agreed by every shard; now by default. */
  startAtMs?: number;
}

export async function runPlan(options: RunOptions): Promise<ResultsFile> {
  await initHistograms();
  const plan = applyOverrides(options.plan, options.overrides ?? {});
  const workers = options.workers ?? (options.file ? defaultWorkers(plan.target) : 1);
  // With a plan file, flows run only in worker threads: the main thread must stay free to stop,
  // judge and write whatever a flow does.
  const inWorkers = options.file !== undefined;
  const heapMb = workerHeapMb(process.env);
  if (!Number.isInteger(workers) || workers < 1)
    throw new UsageError(`--workers must be a positive integer, got ${workers}`);
  if (workers > 1 && !options.file)
    throw new UsageError('running on several workers needs the plan as a file');
  // The HTTP client is chosen in every thread from the environment: a bad choice is the user's
  // input, refused before setup() or any load runs.
  try {
    envImplementation();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  // What a run logs may quote a check's message or a worker's error: no secret in it.
  const log = (message: string) => options.onLog?.(redactString(message));
  const shard = options.shard;
  const segment = shard?.segment ?? Segment.whole();
  if (shard) for (const note of segmentProblems(plan, segment)) log(note);
  if (options.startAtMs !== undefined) assertStartReachable(options.startAtMs, plannedDurationMs(plan));
  // In a shard, the checks before and during the load run in the first shard only; the checks
  // after it run at the merge, on the counters of every shard.
  const firstShard = !shard || segment.position === 0;
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  const readyWithinMs = initTimeoutMs(env);
  const baseDir = options.baseDir ?? process.cwd();
  const data = loadData(plan.data, baseDir);

  let setup: unknown;
  if (plan.setup) {
    try {
      const setupFn = plan.setup;
      const ctx = { env, target: plan.target };
      setup = await withinTime(
        'setup()',
        plan.setupTimeoutMs ?? HOOK_TIMEOUT_MS,
        () => setupFn(ctx),
        options.signal,
      );
    } catch (e) {
      throw new SetupError(`setup() failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (inWorkers) {
      try {
        structuredClone(setup);
      } catch {
        throw new SetupError('setup() must return plain data (it is copied to every worker thread)');
      }
    }
  }
  const store = new MetricStore();
  // Dropped iterations are a series from the start, at zero: a scrape or a report that shows none
  // must mean none were dropped, not that nobody counted.
  store.addCounter('dropped_iterations', ['', ...plan.scenarios.map((s) => scenarioKey(s.name))], 0);
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
  if (firstShard) await checks.runPhase('before');

  const recorder = shard
    ? new ShardRecorder(
        shard,
        plan.scenarios.map((s) => s.name),
      )
    : undefined;
  const timeline = new Timeline(workers, recorder ? (point, h) => recorder.runSecond(point, h) : undefined);
  const scenarioTimeline = new ScenarioTimeline(plan.scenarios.map((s) => s.name));
  const seconds = new SeriesStream(workers, (second, figures) => {
    scenarioTimeline.add(second, figures);
    recorder?.scenarioSecond(second, figures);
    options.onSecond?.(second, epoch, figures);
  });
  const plannedMs = plannedDurationMs(plan);
  let startedAt = new Date();
  let epoch = 0;
  let epochWallMs = 0;
  let startSkewMs = 0;
  let interruptReason: string | undefined;
  let threads: LoadThread[] = [];
  const stopAll = (reason: string) => {
    if (interruptReason) return;
    interruptReason = reason;
    for (const t of threads) t.send({ type: 'stop' });
  };
  const thresholdState = new Map<string, ThresholdResult>();
  // A shard sees only its part of the load: thresholds are judged once, on the merged shards.
  const abortable = shard ? [] : plan.thresholds.filter((t) => t.abortOnFail);
  const onTick = (index: number, tick: Tick) => {
    store.merge(tick.delta);
    timeline.add(index, tick.second, tick.timeline, tick.final);
    seconds.add(index, tick.second, tick.delta, tick.final);
    const elapsedMs = realClock.now() - epoch;
    for (const spec of abortable) {
      if (elapsedMs < spec.delayAbortEvalMs || interruptReason) continue;
      const r = evaluateThreshold(spec, store, plan.metricTypes, elapsedMs);
      if (r.level === 'FAIL' && r.actual !== null) {
        thresholdState.set(`${spec.key} ${spec.expression}`, { ...r, aborted: true });
        // With a critical level, what fired is that level: the target alone only warns.
        const fired = spec.critical
          ? `${spec.key} ${spec.expression} failed its critical level ${spec.critical}`
          : `${spec.key} ${spec.expression} failed`;
        log(`threshold ${fired} (actual ${r.actual}): aborting the run`);
        stopAll(`threshold ${fired}`);
      }
    }
    options.onProgress?.(progressOf(plan, store, timeline, elapsedMs, plannedMs));
  };

  const shardLabels: Record<string, string> = shard ? { run_id: shard.runId, shard: segment.toString() } : {};
  let renderMetrics = () => renderPrometheus(store, shardLabels);
  const metricsServer = options.prometheus
    ? await serveMetrics(options.prometheus, () => renderMetrics())
    : undefined;
  if (metricsServer) options.onMetricsServer?.(metricsServer.url);
  const otlp = options.otlp
    ? new OtlpExporter(
        otlpEndpoint(options.otlp),
        options.otlpIntervalMs ?? 10_000,
        store,
        () => ({
          startMs: startedAt.getTime(),
          nowMs: Date.now(),
          version: VERSION,
          resource: { 'loadproof.plan': plan.name },
        }),
        log,
      )
    : undefined;
  otlp?.start();
  const onSignal = () => stopAll(`stopped by signal (${signalName(options.signal)})`);
  options.signal?.addEventListener('abort', onSignal, { once: true });
  const failures: string[] = [];
  let forced: string | undefined;
  const onForce = () => {
    const why = `stopped at once by a second signal (${signalName(options.forceSignal)})`;
    forced = why;
    stopAtOnce(threads, why);
  };
  options.forceSignal?.addEventListener('abort', onForce, { once: true });
  try {
    const sink = { onTick, onLog: log };
    threads = inWorkers
      ? await startWorkers(
          {
            file: options.file as string,
            count: workers,
            ...(heapMb !== undefined ? { heapMb } : {}),
            setup,
            env,
            overrides: options.overrides ?? {},
            planOptions: options.planOptions ?? {},
            ...(shard ? { segment: segment.toSpec() } : {}),
            readyWithinMs,
          },
          sink,
        )
      : [inProcessThread(plan, setup, data, env, sink, segment)];
    // Ready (plan loaded, workers started, no connection open yet): start at the agreed instant.
    const readyAtMs = Date.now();
    if (options.startAtMs !== undefined) {
      startSkewMs = Math.max(0, readyAtMs - options.startAtMs);
      if (startSkewMs > 0)
        log(
          `started ${startSkewMs} ms after --start-at: arrivals already due are counted as missed_arrivals`,
        );
      epoch = realClock.now() + (options.startAtMs - readyAtMs);
    } else epoch = realClock.now() + 20;
    epochWallMs = Date.now() + (epoch - realClock.now());
    startedAt = new Date(epochWallMs);
    for (const t of threads) t.send({ type: 'start', epoch });
    if (options.signal?.aborted) onSignal();
    // A stop that came while the workers were starting found no thread to tell: tell them now.
    if (interruptReason) for (const t of threads) t.send({ type: 'stop' });
    if (options.forceSignal?.aborted) onForce();
    const ended = new Set<number>();
    // A thread still running this long after its scenarios' time and gracefulStop (or after a
    // stop and gracefulStop) is stuck: a flow that never yields. It is terminated.
    let deadline = epoch + plannedEndMs(plan) + STUCK_MARGIN_MS;
    let stopDeadlineSet = false;
    const watchdog = setInterval(() => {
      if (interruptReason && !stopDeadlineSet) {
        stopDeadlineSet = true;
        deadline = Math.min(deadline, realClock.now() + maxGracefulStopMs(plan) + STUCK_MARGIN_MS);
      }
      if (realClock.now() < deadline) return;
      for (const t of threads) if (!ended.has(t.index)) t.terminate(stuckMessage(plan, t));
    }, 250);
    const duringStop = new AbortController();
    const during = firstShard ? checks.runDuring(duringStop.signal) : Promise.resolve();
    try {
      await Promise.all(
        threads.map(async (t) => {
          const outcome = await t.done;
          ended.add(t.index);
          if (outcome.ok) return;
          timeline.abandon(t.index);
          seconds.abandon(t.index);
          // A worker's requests in flight when it ended are lost with it; they were sent, so they count.
          const lost = inWorkers ? t.inFlight.now() : 0;
          if (lost > 0) {
            countLostRequests(store, lost);
            log(`worker ${t.index} ended with ${lost} request(s) in flight: counted as ABORTED`);
          }
          if (outcome.message === forced) return;
          failures.push(outcome.message);
          log(outcome.message);
          stopAll(`a worker failed: ${outcome.message}`);
        }),
      );
    } finally {
      clearInterval(watchdog);
      duringStop.abort();
      await during;
    }
  } catch (e) {
    await metricsServer?.close();
    throw e;
  } finally {
    options.signal?.removeEventListener('abort', onSignal);
    options.forceSignal?.removeEventListener('abort', onForce);
  }
  if (!options.keepMetricsServer) await metricsServer?.close();
  // A run stopped before its agreed start (a shard waiting for --start-at) lasted no time at all.
  const durationMs = Math.max(0, realClock.now() - epoch);
  seconds.finish();
  await otlp?.finish();
  if (forced) {
    interruptReason = interruptReason ? `${interruptReason}; then ${forced}` : forced;
    log('skipping the after checks and teardown() (second signal)');
  } else if (!shard) await checks.runPhase('after');
  let teardownFailure: string | undefined;
  if (plan.teardown && !forced) {
    const teardownFn = plan.teardown;
    const ctx = { env, target: plan.target };
    try {
      // A second signal ends a teardown() that does not: the run is written, NO-GO.
      await withinTime(
        'teardown()',
        plan.teardownTimeoutMs ?? HOOK_TIMEOUT_MS,
        () => teardownFn(setup, ctx),
        options.forceSignal,
      );
    } catch (e) {
      teardownFailure = `teardown() failed: ${e instanceof Error ? e.message : String(e)}`;
      log(teardownFailure);
      options.onHookFailure?.(teardownFailure);
    }
  }
  const thresholds = shard
    ? []
    : plan.thresholds.map(
        (spec) =>
          thresholdState.get(`${spec.key} ${spec.expression}`) ??
          evaluateThreshold(spec, store, plan.metricTypes, durationMs),
      );
  const built = buildResults({
    plan,
    ...(options.file ? { file: options.file } : {}),
    store,
    timeline: timeline.finish(),
    startedAt,
    durationMs,
    interrupted: interruptReason !== undefined,
    ...(interruptReason ? { interruptReason } : {}),
    workerFailures: failures,
    workers,
    scenarioTimeline,
    thresholds,
    checks: checks.list(),
    version: VERSION,
    plannedArrivals: plannedArrivals(plan, segment),
    ...(plan.validity ? { validityLimits: plan.validity } : {}),
  });
  const results = teardownFailure ? withHookFailure(built, teardownFailure) : built;
  if (metricsServer && options.keepMetricsServer) {
    // The last figures stay scrapable after the store is freed.
    const last = renderMetrics();
    renderMetrics = () => last;
    options.keepMetricsServer(() => metricsServer.close());
  }
  // Last: the record flushes the store.
  if (recorder) {
    results.verdict = {
      status: 'SHARD',
      reasons: results.verdict.reasons,
      warnings: [
        "a shard is judged only with the others: run `loadproof merge` on every shard's results.json",
      ],
    };
    results.shard = recorder.finish(plan, store, epochWallMs, startSkewMs, setup);
  }
  store.destroy();
  return results;
}
