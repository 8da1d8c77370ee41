/**
 * per-vu-iterations and shared-iterations: VUs run a fixed number of iterations (each its own,
 * or taken from one shared count) and the scenario ends when they are done or maxDuration is up.
 */
import type { ConfigOf } from './index.ts';
import { drain, type ExecutorContext, runWideNumber, threadShare } from './run-context.ts';
import { counter, loop, stopAt } from './run-vu-loop.ts';

export async function runIterations(
  ctx: ExecutorContext<ConfigOf<'per-vu-iterations'> | ConfigOf<'shared-iterations'>>,
): Promise<void> {
  const { config } = ctx;
  stopAt(ctx, ctx.startAt + config.maxDurationMs);
  const vus = threadShare(ctx, config.vus);
  const inflight = new Set<Promise<void>>();
  if (config.executor === 'per-vu-iterations') {
    // VU i of this thread runs its own iterations; numbers stay unique across VUs, threads and segments.
    for (let i = 0; i < vus; i++) {
      let k = 0;
      const globalVu = runWideNumber(ctx, i);
      const next = () => (k < config.iterations ? globalVu * config.iterations + k++ : undefined);
      inflight.add(loop(ctx, ctx.newVu(), next));
    }
  } else {
    const next = counter(ctx, threadShare(ctx, config.iterations));
    for (let i = 0; i < vus; i++) inflight.add(loop(ctx, ctx.newVu(), next));
  }
  const finished = Promise.all(inflight).then(() => ctx.stop.abort());
  await Promise.race([finished, new Promise((r) => ctx.stop.signal.addEventListener('abort', r))]);
  await drain(inflight, ctx);
}
