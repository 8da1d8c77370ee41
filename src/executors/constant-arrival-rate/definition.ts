/** constant-arrival-rate: iterations start at a fixed rate for a duration, on a pool of VUs. */
import { duration, positiveNumber } from '../../plan/fields.ts';
import type { ExecutorDefinition } from '../definition.ts';
import { perSecond } from '../per-second.ts';
import {
  constantRate,
  K6_VU_POOL_DEFAULTS,
  LOADPROOF_ONLY_VU_POOL_KEYS,
  overrideVuPool,
  VU_POOL_KEYS,
  validateVuPool,
} from '../vu-pool.ts';

export const constantArrivalRate: ExecutorDefinition<'constant-arrival-rate'> = {
  name: 'constant-arrival-rate',
  model: 'open',
  keys: ['rate', 'timeUnit', 'duration', ...VU_POOL_KEYS],
  loadproofOnlyKeys: LOADPROOF_ONLY_VU_POOL_KEYS,
  k6Defaults: K6_VU_POOL_DEFAULTS,
  validate(fields) {
    const { issues, path: p, input: s } = fields;
    return {
      executor: 'constant-arrival-rate',
      ratePerSec: fields.perSec(`${p}.rate`, positiveNumber(issues, `${p}.rate`, s.rate)),
      durationMs: duration(issues, `${p}.duration`, s.duration),
      ...validateVuPool(fields),
    };
  },
  durationMs: (c) => c.durationMs,
  peakVus: (c) => c.maxVUs,
  targetAt: (c) => perSecond(c.ratePerSec),
  override(_scenario, c, o) {
    const pool = overrideVuPool(c, o);
    const durationMs = o.durationMs ?? c.durationMs;
    if (o.rate !== undefined) return constantRate(pool, o.rate, durationMs);
    return { ...c, ...pool, durationMs };
  },
};
