/** per-vu-iterations: each VU runs the same number of iterations, within maxDuration. */
import type { ExecutorDefinition } from './definition.ts';
import { ITERATION_KEYS, validateIterations } from './iterations.ts';

export const perVuIterations: ExecutorDefinition<'per-vu-iterations'> = {
  name: 'per-vu-iterations',
  model: 'closed',
  keys: ITERATION_KEYS,
  validate: (fields) => ({ executor: 'per-vu-iterations', ...validateIterations(fields) }),
  durationMs: (c) => c.maxDurationMs,
  peakVus: (c) => c.vus,
  override: (_scenario, c, o) => ({
    ...c,
    vus: o.vus ?? c.vus,
    maxDurationMs: o.durationMs ?? c.maxDurationMs,
  }),
};
