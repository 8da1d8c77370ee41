/** constant-vus: a fixed number of VUs loop over the flow for a duration. */
import type { ConfigOf } from '../index.ts';
import { drain, type ExecutorContext, threadShare } from '../run-context.ts';
import type { ExecutorRun } from '../run-definition.ts';
import { counter, loop, stopAt } from '../run-vu-loop.ts';

async function runConstantVus(ctx: ExecutorContext<ConfigOf<'constant-vus'>>): Promise<void> {
  stopAt(ctx, ctx.startAt + ctx.config.durationMs);
  const next = counter(ctx);
  const inflight = new Set<Promise<void>>();
  for (let i = 0; i < threadShare(ctx, ctx.config.vus); i++) inflight.add(loop(ctx, ctx.newVu(), next));
  await Promise.race([
    Promise.all(inflight),
    new Promise((r) => ctx.stop.signal.addEventListener('abort', r)),
  ]);
  await drain(inflight, ctx);
}

export const constantVusRun: ExecutorRun<'constant-vus'> = { run: runConstantVus };
