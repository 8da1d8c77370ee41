/**
 * What an executor gets to do its job: its share of the scenario, a clock, a way to make VUs
 * and run iterations, and two stop signals. `stop` means "start nothing new" (the end of the
 * scenario's time, SIGINT, an abort); `hardStop` means "abort what is still running" (after
 * gracefulStop). Executors only pace and count; the VU and the metrics do the rest.
 */

import type { Clock } from '../engine/clock.ts';
import type { Segment } from '../engine/segment.ts';
import { shareOf } from '../engine/shares.ts';
import type { VirtualUser } from '../engine/vu.ts';
import type { ScenarioConfig } from '../plan/types.ts';
import { peakVus } from './index.ts';

export interface ExecutorContext<C extends ScenarioConfig = ScenarioConfig> {
  config: C;
  clock: Clock;
  /** Clock time at which the scenario starts. */
  startAt: number;
  /** This thread's place among the threads that run this scenario. */
  index: number;
  count: number;
  /** The part of the run this process takes (the whole run unless it is one shard of several). */
  segment: Segment;
  gracefulStopMs: number;
  /** Aborts when nothing new may start. Executors abort it themselves when their time is up. */
  stop: AbortController;
  /** Aborts in-flight iterations. */
  hardStop: AbortSignal;
  newVu(): VirtualUser;
  /** Runs iteration `n` (global number, the same in every thread) on `vu`; never throws. */
  runIteration(vu: VirtualUser, n: number, intendedAt: number): Promise<void>;
  dropped(count?: number): void;
  /**
   * Clock time before which arrivals are missed, not run: the thread started that late (a shard
   * that missed the agreed start). Minus infinity when it started on time.
   */
  missedBefore: number;
  /** Counts arrivals missed that way (`missed_arrivals`). */
  missed(count?: number): void;
}

/** How many threads take part in a scenario: never more than this segment has VUs for it. */
export function threadsFor(config: ScenarioConfig, workers: number, segment: Segment): number {
  return Math.max(1, Math.min(workers, segment.share(peakVus(config))));
}

/** This thread's part of `total` VUs or iterations: its segment's share, split among the threads. */
export function threadShare(ctx: ExecutorContext, total: number): number {
  return shareOf(ctx.segment.share(total), ctx.index, ctx.count);
}

/**
 * The run-wide number of a closed-model iteration or VU counted `local` in this thread
 * (0, 1, ...): unique over the threads and over the segments of the run.
 */
export function runWideNumber(ctx: ExecutorContext, local: number): number {
  return (local * ctx.count + ctx.index) * ctx.segment.count + ctx.segment.position;
}

/** Waits for in-flight iterations, at most gracefulStopMs; true if all finished in time. */
export async function drain(inflight: Set<Promise<void>>, ctx: ExecutorContext): Promise<boolean> {
  if (inflight.size === 0) return true;
  const deadline = ctx.clock.now() + ctx.gracefulStopMs;
  const giveUp = new AbortController();
  const all = Promise.all([...inflight]).then(() => true);
  const timeout = ctx.clock.sleepUntil(deadline, giveUp.signal).then(() => false);
  const done = await Promise.race([all, timeout]);
  giveUp.abort();
  return done;
}

/** Yields to the event loop, so that a flow without any await cannot starve timers. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
