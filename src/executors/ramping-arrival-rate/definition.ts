/** ramping-arrival-rate: the rate of iteration starts moves linearly through stages. */
import { positiveNumber } from '../../plan/fields.ts';
import type { ExecutorDefinition } from '../definition.ts';
import { perSecond } from '../per-second.ts';
import { scaleStages, stagesMs, stageTargetAt, validateStages } from '../stages.ts';
import {
  constantRate,
  K6_VU_POOL_DEFAULTS,
  LOADPROOF_ONLY_VU_POOL_KEYS,
  overrideVuPool,
  VU_POOL_KEYS,
  validateVuPool,
} from '../vu-pool.ts';

export const rampingArrivalRate: ExecutorDefinition<'ramping-arrival-rate'> = {
  name: 'ramping-arrival-rate',
  model: 'open',
  keys: ['startRate', 'timeUnit', 'stages', ...VU_POOL_KEYS],
  loadproofOnlyKeys: LOADPROOF_ONLY_VU_POOL_KEYS,
  k6Defaults: K6_VU_POOL_DEFAULTS,
  validate(fields) {
    const { issues, path: p, input: s } = fields;
    return {
      executor: 'ramping-arrival-rate',
      startRatePerSec: fields.perSec(
        `${p}.startRate`,
        s.startRate === undefined ? 0 : positiveNumber(issues, `${p}.startRate`, s.startRate, { zero: true }),
      ),
      stages: validateStages(issues, `${p}.stages`, s.stages).map((st, i) => ({
        ...st,
        target: fields.perSec(`${p}.stages[${i}].target`, st.target),
      })),
      ...validateVuPool(fields),
    };
  },
  durationMs: (c) => stagesMs(c.stages),
  peakVus: (c) => c.maxVUs,
  targetAt: (c, ms) => perSecond(stageTargetAt(c.startRatePerSec, c.stages, ms)),
  override(_scenario, c, o) {
    const pool = overrideVuPool(c, o);
    if (o.rate !== undefined) return constantRate(pool, o.rate, o.durationMs ?? stagesMs(c.stages));
    return {
      ...c,
      ...pool,
      stages: o.durationMs === undefined ? c.stages : scaleStages(c.stages, o.durationMs),
    };
  },
};
