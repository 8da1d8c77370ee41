/** How long a plan is meant to run, read from its scenarios' starts, durations and gracefulStops. */
import { scenarioDurationMs } from '../executors/index.ts';
import type { Plan } from '../plan/types.ts';

/** Nominal end of the run in ms: the latest scenario start + duration. */
export function plannedDurationMs(plan: Plan): number {
  return Math.max(0, ...plan.scenarios.map((s) => s.startTimeMs + scenarioDurationMs(s.config)));
}

/** The latest moment (ms from the start) a scenario may still run: start + duration + gracefulStop. */
export function plannedEndMs(plan: Plan): number {
  return Math.max(
    0,
    ...plan.scenarios.map((s) => s.startTimeMs + scenarioDurationMs(s.config) + s.gracefulStopMs),
  );
}

export function maxGracefulStopMs(plan: Plan): number {
  return Math.max(0, ...plan.scenarios.map((s) => s.gracefulStopMs));
}
