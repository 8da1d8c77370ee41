/**
 * The run the iteration executors share (per-vu-iterations, shared-iterations): VUs run a fixed
 * number of iterations, each VU drawing its iterations' numbers from what its executor gives it
 * (its own, or a share of one count), and the scenario ends when they are done or maxDuration
 * is up.
 */
import type { ScenarioConfig } from '../plan/types.ts';
import type { IterationFields } from './config.ts';
import { drain, type ExecutorContext, threadShare } from './run-context.ts';
import { loop, stopAt } from './run-vu-loop.ts';

/** Runs this thread's VUs, VU `i` over the iterations `iterationsOf(i)` numbers, until none is left. */
export async function runIterations(
  ctx: ExecutorContext<ScenarioConfig & IterationFields>,
  iterationsOf: (vu: number) => () => number | undefined,
): Promise<void> {
  const { config } = ctx;
  stopAt(ctx, ctx.startAt + config.maxDurationMs);
  const vus = threadShare(ctx, config.vus);
  const inflight = new Set<Promise<void>>();
  for (let i = 0; i < vus; i++) {
    const next = iterationsOf(i);
    inflight.add(loop(ctx, ctx.newVu(), next));
  }
  const finished = Promise.all(inflight).then(() => ctx.stop.abort());
  await Promise.race([finished, new Promise((r) => ctx.stop.signal.addEventListener('abort', r))]);
  await drain(inflight, ctx);
}
