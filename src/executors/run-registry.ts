/**
 * The engine side of the executors: the run of each (one module per executor, or per family
 * that runs alike: `arrival-rate.ts`, `iterations.ts`), keyed by the names of the plan's
 * registry (`index.ts`), so an executor without its run is a type error.
 */

import { runConstantVus } from './constant-vus/run.ts';
import type { ConfigOf, ExecutorName } from './index.ts';
import { runRampingVus } from './ramping-vus/run.ts';
import { runArrivalRate } from './run-arrivals.ts';
import type { ExecutorContext } from './run-context.ts';
import { runIterations } from './run-iterations.ts';

type Run<E extends ExecutorName> = (ctx: ExecutorContext<ConfigOf<E>>) => Promise<void>;

export const RUNS: { readonly [E in ExecutorName]: Run<E> } = {
  'constant-arrival-rate': runArrivalRate,
  'ramping-arrival-rate': runArrivalRate,
  'constant-vus': runConstantVus,
  'ramping-vus': runRampingVus,
  'per-vu-iterations': runIterations,
  'shared-iterations': runIterations,
};

/** Runs this thread's share of a scenario with its executor. */
export function runExecutor(ctx: ExecutorContext): Promise<void> {
  const run = RUNS[ctx.config.executor] as unknown as Run<ExecutorName>;
  return run(ctx);
}
