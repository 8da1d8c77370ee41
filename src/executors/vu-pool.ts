/**
 * The VU pool of the arrival-rate executors (maxVUs, preAllocatedVUs, onSaturation): validated,
 * and changed by the shortcuts, where --vus sets maxVUs and --rate makes the scenario a constant
 * rate. onSaturation is loadproof's own; k6 has the other two, and maxVUs defaults to the
 * preallocated VUs there.
 */
import { positiveNumber } from '../plan/fields.ts';
import { typeName } from '../plan/issues.ts';
import { LIMITS } from '../plan/limits.ts';
import type { ScenarioConfig } from '../plan/types.ts';
import type { OnSaturation, VuPool } from './config.ts';
import type { Overrides, ScenarioFields } from './definition.ts';

export const VU_POOL_KEYS = ['maxVUs', 'preAllocatedVUs', 'onSaturation'] as const;
export const LOADPROOF_ONLY_VU_POOL_KEYS = ['onSaturation'] as const;

/** k6's default for a k6 script's arrival-rate scenario: as many VUs at most as preallocated. */
export const K6_VU_POOL_DEFAULTS = (s: Readonly<Record<string, unknown>>) => ({ maxVUs: s.preAllocatedVUs });

function onSaturation({ issues, path: p, input: s }: ScenarioFields): OnSaturation {
  if (s.onSaturation === undefined) return 'drop';
  if (s.onSaturation !== 'drop' && s.onSaturation !== 'queue') {
    issues.error(`${p}.onSaturation`, `expected "drop" or "queue", got ${typeName(s.onSaturation)}`);
  }
  return s.onSaturation === 'queue' ? 'queue' : 'drop';
}

export function validateVuPool(fields: ScenarioFields): VuPool {
  const { issues, path: p, input: s } = fields;
  const maxVUs = positiveNumber(issues, `${p}.maxVUs`, s.maxVUs, { integer: true, max: LIMITS.vus });
  const pre =
    s.preAllocatedVUs === undefined
      ? Math.min(maxVUs, 1)
      : positiveNumber(issues, `${p}.preAllocatedVUs`, s.preAllocatedVUs, {
          integer: true,
          zero: true,
          max: LIMITS.vus,
        });
  if (pre > maxVUs && maxVUs > 0) issues.error(`${p}.preAllocatedVUs`, `must not exceed maxVUs (${maxVUs})`);
  return { maxVUs, preAllocatedVUs: pre, onSaturation: onSaturation(fields) };
}

/** The pool under --vus: maxVUs replaced, the preallocated VUs never more than it. */
export function overrideVuPool(c: VuPool, o: Overrides): VuPool {
  const maxVUs = o.vus ?? c.maxVUs;
  return {
    maxVUs,
    preAllocatedVUs: Math.min(c.preAllocatedVUs, maxVUs),
    onSaturation: c.onSaturation,
  };
}

/** --rate turns an arrival-rate scenario into a constant rate over `durationMs`. */
export function constantRate(pool: VuPool, ratePerSec: number, durationMs: number): ScenarioConfig {
  return { executor: 'constant-arrival-rate', ratePerSec, durationMs, ...pool };
}
