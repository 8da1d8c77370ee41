/**
 * What a scenario aims at a given moment, in words for a progress display: its rate for the open
 * models (ramps interpolated as the pacer does), its VUs for the closed ones, its iterations for
 * the iteration executors.
 */
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

export function targetAt(config: ScenarioConfig, sinceStartMs: number): string {
  const ms = Math.max(0, sinceStartMs);
  switch (config.executor) {
    case 'constant-arrival-rate':
      return perSecond(config.ratePerSec);
    case 'ramping-arrival-rate':
      return perSecond(rateAt(config.startRatePerSec, config.stages, ms));
    case 'constant-vus':
      return `${config.vus} VUs`;
    case 'ramping-vus':
      return `${vuTargetAt(config.startVUs, config.stages, ms)} VUs`;
    case 'per-vu-iterations':
      return `${config.iterations} iterations × ${config.vus} VUs`;
    case 'shared-iterations':
      return `${config.iterations} iterations over ${config.vus} VUs`;
  }
}
