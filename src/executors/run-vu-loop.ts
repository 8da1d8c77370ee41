/**
 * What the closed-model runs (constant-vus, ramping-vus, the iteration executors) share: each VU
 * runs one iteration after another, the next starting when the previous ends, and the scenario's
 * time ends at a moment after which nothing new starts.
 */
import type { VirtualUser } from '../engine/vu.ts';
import { type ExecutorContext, runWideNumber, yieldToLoop } from './run-context.ts';

/** Ends the scenario's time at `endAt`: nothing new starts after it. */
export function stopAt(ctx: ExecutorContext, endAt: number): void {
  ctx.clock.sleepUntil(endAt, ctx.stop.signal).then(() => ctx.stop.abort());
}

/** A VU loop: runs iterations while `more()` says so and nothing stopped it. */
export async function loop(
  ctx: ExecutorContext,
  vu: VirtualUser,
  next: () => number | undefined,
  own?: AbortSignal,
): Promise<void> {
  for (let i = 1; ; i++) {
    if (ctx.stop.signal.aborted || own?.aborted) return;
    const n = next();
    if (n === undefined) return;
    await ctx.runIteration(vu, n, ctx.clock.now());
    // A flow that never waits on I/O must not starve timers; one that does costs nothing here.
    if (i % 16 === 0) await yieldToLoop();
  }
}

/** Run-wide iteration numbers for this thread's iterations, at most `limit` of them. */
export function counter(ctx: ExecutorContext, limit = Number.POSITIVE_INFINITY): () => number | undefined {
  let k = 0;
  return () => (k < limit ? runWideNumber(ctx, k++) : undefined);
}
