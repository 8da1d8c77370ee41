/** shared-iterations: VUs take iterations from one shared count, within maxDuration. */
import { UsageError } from '../../errors.ts';
import type { ExecutorDefinition } from '../definition.ts';
import { ITERATION_KEYS, K6_ITERATION_DEFAULTS, validateIterations } from '../iterations.ts';

export const sharedIterations: ExecutorDefinition<'shared-iterations'> = {
  name: 'shared-iterations',
  model: 'closed',
  keys: ITERATION_KEYS,
  k6Defaults: K6_ITERATION_DEFAULTS,
  validate(fields) {
    const config = validateIterations(fields, ({ vus, iterations }) => {
      // A VU with no iteration to take would idle.
      if (iterations > 0 && vus > iterations)
        fields.issues.error(`${fields.path}.vus`, `must not exceed iterations (${iterations})`);
    });
    return { executor: 'shared-iterations', ...config };
  },
  durationMs: (c) => c.maxDurationMs,
  peakVus: (c) => c.vus,
  targetAt: (c) => `${c.iterations} iterations over ${c.vus} VUs`,
  override(scenario, c, o) {
    const vus = o.vus ?? c.vus;
    if (vus > c.iterations)
      throw new UsageError(`--vus ${vus} exceeds the ${c.iterations} iterations of scenario "${scenario}"`);
    return { ...c, vus, maxDurationMs: o.durationMs ?? c.maxDurationMs };
  },
};
