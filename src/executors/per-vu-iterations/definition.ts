/** per-vu-iterations: each VU runs the same number of iterations, within maxDuration. */
import type { ExecutorDefinition } from '../definition.ts';
import { ITERATION_KEYS, K6_ITERATION_DEFAULTS, validateIterations } from '../iterations.ts';

export const perVuIterations: ExecutorDefinition<'per-vu-iterations'> = {
  name: 'per-vu-iterations',
  model: 'closed',
  keys: ITERATION_KEYS,
  k6Defaults: K6_ITERATION_DEFAULTS,
  validate: (fields) => ({ executor: 'per-vu-iterations', ...validateIterations(fields) }),
  durationMs: (c) => c.maxDurationMs,
  peakVus: (c) => c.vus,
  targetAt: (c) => `${c.iterations} iterations × ${c.vus} VUs`,
  override: (_scenario, c, o) => ({
    ...c,
    vus: o.vus ?? c.vus,
    maxDurationMs: o.durationMs ?? c.maxDurationMs,
  }),
};
