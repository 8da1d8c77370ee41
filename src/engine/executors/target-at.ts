/**
 * What a scenario aims at a given moment, in words for a progress display: its rate for the open
 * models (ramps interpolated as the pacer does), its VUs for the closed ones, its iterations for
 * the iteration executors.
 */
import type { ConfigOf, ExecutorName } from '../../plan/executors/index.ts';
import type { ScenarioConfig } from '../../plan/types.ts';
import { vuTargetAt } from '../vu-schedule.ts';

/** Linear from one stage's target to the next, as ramping-arrival-rate's pacer moves. */
function rateAt(
  start: number,
  stages: readonly { durationMs: number; target: number }[],
  ms: number,
): number {
  let from = start;
  let t = 0;
  for (const s of stages) {
    if (ms < t + s.durationMs)
      return from + (s.target - from) * (s.durationMs > 0 ? (ms - t) / s.durationMs : 1);
    t += s.durationMs;
    from = s.target;
  }
  return from;
}

const perSecond = (r: number) => `${Number(r.toFixed(r < 10 ? 2 : 1))}/s`;

/** Each executor's target, keyed by name: an executor without one is a type error. */
const TARGETS: { readonly [E in ExecutorName]: (config: ConfigOf<E>, ms: number) => string } = {
  'constant-arrival-rate': (c) => perSecond(c.ratePerSec),
  'ramping-arrival-rate': (c, ms) => perSecond(rateAt(c.startRatePerSec, c.stages, ms)),
  'constant-vus': (c) => `${c.vus} VUs`,
  'ramping-vus': (c, ms) => `${vuTargetAt(c.startVUs, c.stages, ms)} VUs`,
  'per-vu-iterations': (c) => `${c.iterations} iterations × ${c.vus} VUs`,
  'shared-iterations': (c) => `${c.iterations} iterations over ${c.vus} VUs`,
};

export function targetAt(config: ScenarioConfig, sinceStartMs: number): string {
  const target = TARGETS[config.executor] as (config: ScenarioConfig, ms: number) => string;
  return target(config, Math.max(0, sinceStartMs));
}
