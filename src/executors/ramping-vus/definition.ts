/** ramping-vus: the number of looping VUs moves linearly through stages. */
import { positiveNumber } from '../../plan/fields.ts';
import { LIMITS } from '../../plan/limits.ts';
import type { ExecutorDefinition } from '../definition.ts';
import { scaleStages, stagesMs, validateStages, vuTargetAt } from '../stages.ts';

export const rampingVus: ExecutorDefinition<'ramping-vus'> = {
  name: 'ramping-vus',
  model: 'closed',
  keys: ['startVUs', 'stages'],
  // k6 starts a ramp with one VU; loadproof with none.
  k6Defaults: () => ({ startVUs: 1 }),
  validate({ issues, path: p, input: s }) {
    const st = validateStages(issues, `${p}.stages`, s.stages);
    st.forEach((x, i) => {
      if (!Number.isInteger(x.target))
        issues.error(`${p}.stages[${i}].target`, 'expected an integer number of VUs');
      else if (x.target > LIMITS.vus)
        issues.error(`${p}.stages[${i}].target`, `must be at most ${LIMITS.vus}, got ${x.target}`);
    });
    return {
      executor: 'ramping-vus',
      startVUs:
        s.startVUs === undefined
          ? 0
          : positiveNumber(issues, `${p}.startVUs`, s.startVUs, {
              integer: true,
              zero: true,
              max: LIMITS.vus,
            }),
      stages: st,
    };
  },
  durationMs: (c) => stagesMs(c.stages),
  peakVus: (c) => Math.max(c.startVUs, ...c.stages.map((s) => s.target)),
  targetAt: (c, ms) => `${vuTargetAt(c.startVUs, c.stages, ms)} VUs`,
  override(_scenario, c, o) {
    // --vus gives a fixed number of VUs: the ramp becomes constant-vus over the same time.
    if (o.vus !== undefined)
      return { executor: 'constant-vus', vus: o.vus, durationMs: o.durationMs ?? stagesMs(c.stages) };
    return { ...c, stages: o.durationMs === undefined ? c.stages : scaleStages(c.stages, o.durationMs) };
  },
};
