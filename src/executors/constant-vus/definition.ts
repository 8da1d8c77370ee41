/** constant-vus: a fixed number of VUs loop over the flow for a duration. */
import { duration, positiveNumber } from '../../plan/fields.ts';
import { LIMITS } from '../../plan/limits.ts';
import type { ExecutorDefinition } from '../definition.ts';

export const constantVus: ExecutorDefinition<'constant-vus'> = {
  name: 'constant-vus',
  model: 'closed',
  keys: ['vus', 'duration'],
  k6Defaults: () => ({ vus: 1 }),
  validate({ issues, path: p, input: s }) {
    return {
      executor: 'constant-vus',
      vus: positiveNumber(issues, `${p}.vus`, s.vus, { integer: true, max: LIMITS.vus }),
      durationMs: duration(issues, `${p}.duration`, s.duration),
    };
  },
  durationMs: (c) => c.durationMs,
  peakVus: (c) => c.vus,
  targetAt: (c) => `${c.vus} VUs`,
  override: (_scenario, c, o) => ({ ...c, vus: o.vus ?? c.vus, durationMs: o.durationMs ?? c.durationMs }),
};
