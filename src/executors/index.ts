/**
 * The executors' definitions (`<name>/definition.ts`), in one registry keyed by name: an executor
 * missing here, or an entry under the wrong name, is a type error. The order is the one error
 * messages list. This registry is the one list of executors: plan validation, k6 scripts'
 * options (`plan/k6/options.ts`) and the progress display read it, the engine's side of it
 * (`run-registry.ts`, each executor's `run.ts`) is keyed by its names, and a test holds the
 * results schema's executor enum to it.
 */
import type { ScenarioConfig } from '../plan/types.ts';
import { constantArrivalRate } from './constant-arrival-rate/definition.ts';
import { constantVus } from './constant-vus/definition.ts';
import type { ExecutorDefinition, ExecutorName } from './definition.ts';
import { perVuIterations } from './per-vu-iterations/definition.ts';
import { rampingArrivalRate } from './ramping-arrival-rate/definition.ts';
import { rampingVus } from './ramping-vus/definition.ts';
import { sharedIterations } from './shared-iterations/definition.ts';

export type { ConfigOf, ExecutorDefinition, ExecutorName, Overrides, ScenarioFields } from './definition.ts';
export { DEFAULT_MAX_DURATION_MS } from './iterations.ts';

export const EXECUTORS: { readonly [E in ExecutorName]: ExecutorDefinition<E> } = {
  'constant-arrival-rate': constantArrivalRate,
  'ramping-arrival-rate': rampingArrivalRate,
  'constant-vus': constantVus,
  'ramping-vus': rampingVus,
  'per-vu-iterations': perVuIterations,
  'shared-iterations': sharedIterations,
};

export const EXECUTOR_NAMES = Object.keys(EXECUTORS) as ExecutorName[];

export function isExecutorName(v: unknown): v is ExecutorName {
  return typeof v === 'string' && Object.hasOwn(EXECUTORS, v);
}

/** Whether the executor named `executor` is an open model (iterations arrive on a schedule). */
export function isOpenModel(executor: string): boolean {
  return isExecutorName(executor) && EXECUTORS[executor].model === 'open';
}

/** The definition of the executor a config is for, typed for that config. */
export function executorOf<C extends ScenarioConfig>(config: C): ExecutorDefinition<C['executor']> {
  return EXECUTORS[config.executor] as unknown as ExecutorDefinition<C['executor']>;
}

/** The most VUs a scenario can have at once. */
export function peakVus(config: ScenarioConfig): number {
  return executorOf(config).peakVus(config);
}

/** Nominal length of a scenario (without gracefulStop). */
export function scenarioDurationMs(config: ScenarioConfig): number {
  return executorOf(config).durationMs(config);
}

/** What a scenario aims at `sinceStartMs` into it, in words for the progress display. */
export function targetAt(config: ScenarioConfig, sinceStartMs: number): string {
  return executorOf(config).targetAt(config, Math.max(0, sinceStartMs));
}
