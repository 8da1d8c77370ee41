/**
 * The engine side of the executors: the run function of each, keyed by the same names as the
 * plan's registry (`plan/executors/`), so an executor without its run is a type error.
 */
import type { ConfigOf, ExecutorName } from '../../plan/executors/index.ts';
import { runArrivalRate } from './arrival-rate.ts';
import { runConstantVus, runIterations, runRampingVus } from './closed.ts';
import type { ExecutorContext } from './context.ts';

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
