/**
 * Runs a plan: setup, checks before, the load on N threads with checks during it, checks after,
 * teardown; then thresholds and the verdict, the live outputs fed all along. The main thread
 * merges what the threads send; percentiles come from merged histograms, never from averages.
 * Each part is a module of its own in run/; this is their composition.
 */
import { initHistograms } from '../metrics/histogram.ts';
import { LiveOutputs } from '../outputs/live-outputs.ts';
import type { ResultsFile } from '../results/types.ts';
import { VERSION } from '../version.ts';
import { buildResults } from './build-results.ts';
import { withHookFailure } from './hook-failure.ts';
import { runSetup, runTeardown } from './plan-hooks.ts';
import { plannedArrivals } from './planned-arrivals.ts';
import { plannedDurationMs } from './planned-time.ts';
import { progressOf } from './progress.ts';
import { runChecks } from './run-checks.ts';
import { RunFigures } from './run-figures.ts';
import { type LoadParts, runLoad } from './run-load.ts';
import type { RunOptions } from './run-options.ts';
import { runSettings } from './run-settings.ts';
import { RunStop } from './run-stop.ts';
import { asShardResults, ShardRecorder } from './shard-recorder.ts';
import { StartBarrier } from './start-barrier.ts';
import { ThresholdAbort } from './threshold-abort.ts';

export { HOOK_TIMEOUT_MS } from './plan-hooks.ts';
export type { RunOptions } from './run-options.ts';

export async function runPlan(options: RunOptions): Promise<ResultsFile> {
  await initHistograms();
  const settings = runSettings(options);
  const { plan, shard, env, log } = settings;
  const setup = await runSetup(plan, env, settings.inWorkers, options.signal);
  const recorder = shard
    ? new ShardRecorder(
        shard,
        plan.scenarios.map((s) => s.name),
      )
    : undefined;
  const barrier = new StartBarrier(options.startAtMs, log);
  const outputs = new LiveOutputs(options.outputs ?? []);
  const figures = new RunFigures(plan, settings.workers, recorder, (second, secondFigures) =>
    outputs.eachSecond({ second, epochMs: barrier.epochWallMs, figures: secondFigures }),
  );
  const { store } = figures;
  const checks = runChecks(plan, store, setup, env, log);
  if (settings.firstShard) await checks.runPhase('before');
  const stop = new RunStop(options.signal, options.forceSignal);
  const thresholds = new ThresholdAbort(plan, !shard, store, log, (reason) => stop.stop(reason));
  const plannedMs = plannedDurationMs(plan);
  const onTick: LoadParts['onTick'] = (index, tick) => {
    figures.add(index, tick);
    const elapsedMs = barrier.elapsedMs();
    thresholds.check(elapsedMs, () => stop.stopped);
    options.onProgress?.(progressOf(plan, store, figures.timeline, elapsedMs, plannedMs));
  };
  let failures: string[];
  try {
    const labels: Record<string, string> = shard
      ? { run_id: shard.runId, shard: settings.segment.toString() }
      : {};
    await outputs.start({
      planName: plan.name,
      version: VERSION,
      store,
      labels,
      startedAtMs: () => barrier.startedAt(),
      log,
    });
    failures = await runLoad(options, { settings, setup, figures, checks, stop, barrier, onTick });
  } catch (e) {
    await outputs.abandon();
    throw e;
  } finally {
    stop.release();
  }
  // A run stopped before its agreed start (a shard waiting for --start-at) lasted no time at all.
  const durationMs = Math.max(0, barrier.elapsedMs());
  figures.finish();
  if (stop.forced) log('skipping the after checks and teardown() (second signal)');
  else if (!shard) await checks.runPhase('after');
  const teardownFailure = stop.forced ? undefined : await runTeardown(plan, setup, env, options.forceSignal);
  if (teardownFailure) {
    log(teardownFailure);
    options.onHookFailure?.(teardownFailure);
  }
  const interruptReason = stop.interruptReason();
  const built = buildResults({
    plan,
    ...(options.file ? { file: options.file } : {}),
    store,
    timeline: figures.timeline.finish(),
    startedAt: new Date(barrier.startedAt()),
    durationMs,
    interrupted: interruptReason !== undefined,
    ...(interruptReason ? { interruptReason } : {}),
    workerFailures: failures,
    workers: settings.workers,
    scenarioTimeline: figures.scenarioTimeline,
    thresholds: thresholds.results(durationMs),
    checks: checks.list(),
    version: VERSION,
    plannedArrivals: plannedArrivals(plan, settings.segment),
    ...(plan.validity ? { validityLimits: plan.validity } : {}),
  });
  let results = teardownFailure ? withHookFailure(built, teardownFailure) : built;
  // Outputs end before the store is freed: their last figures are the run's.
  await outputs.end(results);
  // Last: the record flushes the store.
  if (recorder)
    results = asShardResults(
      results,
      recorder.finish(plan, store, barrier.epochWallMs, barrier.startSkewMs, setup),
    );
  store.destroy();
  return results;
}
