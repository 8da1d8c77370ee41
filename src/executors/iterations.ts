/**
 * What the two iteration executors (per-vu-iterations, shared-iterations) share: vus,
 * iterations and a maxDuration (10 minutes unless given), which --duration replaces; k6 gives a
 * script's scenario one VU and one iteration unless it says otherwise.
 */
import { duration, positiveNumber } from '../plan/fields.ts';
import { LIMITS } from '../plan/limits.ts';
import type { IterationFields } from './config.ts';
import type { ScenarioFields } from './definition.ts';

export const ITERATION_KEYS = ['vus', 'iterations', 'maxDuration'] as const;
export const DEFAULT_MAX_DURATION_MS = 600_000;

/** k6's defaults for a k6 script's iteration scenario. */
export const K6_ITERATION_DEFAULTS = () => ({ vus: 1, iterations: 1, maxDuration: '10m' });

/** vus and iterations, then `check` (for problems between the two), then maxDuration. */
export function validateIterations(
  { issues, path: p, input: s }: ScenarioFields,
  check: (f: { vus: number; iterations: number }) => void = () => {},
): IterationFields {
  const vus = positiveNumber(issues, `${p}.vus`, s.vus, { integer: true, max: LIMITS.vus });
  const iterations = positiveNumber(issues, `${p}.iterations`, s.iterations, {
    integer: true,
    max: LIMITS.iterations,
  });
  check({ vus, iterations });
  return {
    vus,
    iterations,
    maxDurationMs: duration(issues, `${p}.maxDuration`, s.maxDuration, DEFAULT_MAX_DURATION_MS),
  };
}
