/**
 * The engine's side of the executors: each executor's run (`<name>/run.ts`), keyed by the names
 * of the definitions' registry (`index.ts`) and in its order, so an executor without its run is
 * a type error (and a test holds the order).
 */
import type { Pacer } from '../engine/pacer.ts';
import { constantArrivalRateRun } from './constant-arrival-rate/run.ts';
import { constantVusRun } from './constant-vus/run.ts';
import type { ExecutorName } from './index.ts';
import { perVuIterationsRun } from './per-vu-iterations/run.ts';
import { rampingArrivalRateRun } from './ramping-arrival-rate/run.ts';
import { rampingVusRun } from './ramping-vus/run.ts';
import type { ExecutorContext } from './run-context.ts';
import type { ExecutorRun } from './run-definition.ts';
import { sharedIterationsRun } from './shared-iterations/run.ts';

export const RUNS: { readonly [E in ExecutorName]: ExecutorRun<E> } = {
  'constant-arrival-rate': constantArrivalRateRun,
  'ramping-arrival-rate': rampingArrivalRateRun,
  'constant-vus': constantVusRun,
  'ramping-vus': rampingVusRun,
  'per-vu-iterations': perVuIterationsRun,
  'shared-iterations': sharedIterationsRun,
};

function runOf(executor: ExecutorName): ExecutorRun<ExecutorName> {
  return RUNS[executor] as unknown as ExecutorRun<ExecutorName>;
}

/** Runs this thread's share of a scenario with its executor. */
export function runExecutor(ctx: ExecutorContext): Promise<void> {
  return runOf(ctx.config.executor).run(ctx);
}

/** The schedule of an open-model scenario's arrivals; undefined for a closed model. */
export function pacerOf(config: ExecutorContext['config']): Pacer | undefined {
  return runOf(config.executor).pacer?.(config);
}
