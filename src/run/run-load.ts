/**
 * The load itself: the threads started (worker threads with a plan file, this thread without),
 * released together at the start barrier, the checks during the load beside them, a watchdog for
 * stuck threads, and the wait until every thread has ended. A thread that fails stops the run
 * (its requests in flight counted as lost); one stopped at once is not a failure.
 */
import type { CheckRunner } from '../checks/check-runner.ts';
import type { Tick } from '../engine/thread-run.ts';
import { inProcessThread, type LoadThread, startWorkers } from '../engine/threads.ts';
import { countLostRequests } from './lost-requests.ts';
import type { RunFigures } from './run-figures.ts';
import type { RunOptions } from './run-options.ts';
import type { RunSettings } from './run-settings.ts';
import type { RunStop } from './run-stop.ts';
import type { StartBarrier } from './start-barrier.ts';
import { StuckWatchdog } from './stuck-watchdog.ts';

export interface LoadParts {
  settings: RunSettings;
  setup: unknown;
  figures: RunFigures;
  checks: CheckRunner;
  stop: RunStop;
  barrier: StartBarrier;
  onTick: (index: number, tick: Tick) => void;
}

/** Runs the load to its end; returns the failures of threads, each also logged. */
export async function runLoad(options: RunOptions, parts: LoadParts): Promise<string[]> {
  const { settings: s, figures, stop, barrier } = parts;
  const sink = { onTick: parts.onTick, onLog: s.log };
  const threads: LoadThread[] = s.inWorkers
    ? await startWorkers(
        {
          file: options.file as string,
          count: s.workers,
          ...(s.heapMb !== undefined ? { heapMb: s.heapMb } : {}),
          setup: parts.setup,
          env: s.env,
          overrides: options.overrides ?? {},
          planOptions: options.planOptions ?? {},
          ...(s.shard ? { segment: s.segment.toSpec() } : {}),
          readyWithinMs: s.readyWithinMs,
        },
        sink,
      )
    : [inProcessThread(s.plan, parts.setup, s.data, s.env, sink, s.segment)];
  barrier.release(threads);
  stop.handOver(threads);
  const watchdog = new StuckWatchdog(s.plan, threads, barrier.epoch, () => stop.stopped);
  const duringStop = new AbortController();
  const during = s.firstShard ? parts.checks.runDuring(duringStop.signal) : Promise.resolve();
  const failures: string[] = [];
  try {
    await Promise.all(
      threads.map(async (t) => {
        const outcome = await t.done;
        watchdog.threadEnded(t.index);
        if (outcome.ok) return;
        figures.abandon(t.index);
        // A worker's requests in flight when it ended are lost with it; they were sent, so they count.
        const lost = s.inWorkers ? t.inFlight.now() : 0;
        if (lost > 0) {
          countLostRequests(figures.store, lost);
          s.log(`worker ${t.index} ended with ${lost} request(s) in flight: counted as ABORTED`);
        }
        if (outcome.message === stop.forced) return;
        failures.push(outcome.message);
        s.log(outcome.message);
        stop.stop(`a worker failed: ${outcome.message}`);
      }),
    );
  } finally {
    watchdog.stop();
    duringStop.abort();
    await during;
  }
  return failures;
}
