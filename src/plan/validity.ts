/**
 * The plan key `validity`: the built-in run-validity criteria a plan changes, each by its name
 * (`maxMissedArrivals: '5%'`, `maxAborted: '2%'`, `minRequests: 0`, `shardsOnTime: false`).
 * The same reader serves TypeScript plans, k6 options and Artillery's config.
 */

import type { Issues } from './issues.ts';
import { typeName } from './issues.ts';
import type { ValidityLimits } from './types.ts';

export const VALIDITY_KEYS = ['maxMissedArrivals', 'maxAborted', 'minRequests', 'shardsOnTime'] as const;

const PERCENT = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/;

function percentage(issues: Issues, path: string, v: unknown): number | undefined {
  const m = typeof v === 'string' ? PERCENT.exec(v) : null;
  const n = m ? Number(m[1]) : Number.NaN;
  if (!(n >= 0 && n <= 100)) {
    issues.error(path, `expected a percentage from "0%" to "100%" like "5%", got ${typeName(v)}`);
    return undefined;
  }
  return n / 100;
}

/** The limits a plan's `validity` (at `path`) sets; undefined when it sets none. */
export function validityOf(issues: Issues, path: string, v: unknown): Partial<ValidityLimits> | undefined {
  if (v === undefined) return undefined;
  const o = issues.object(path, v);
  if (!o) return undefined;
  issues.unknownKeys(path, o, VALIDITY_KEYS);
  const limits: Partial<ValidityLimits> = {};
  for (const key of ['maxMissedArrivals', 'maxAborted'] as const) {
    if (o[key] === undefined) continue;
    const fraction = percentage(issues, `${path}.${key}`, o[key]);
    if (fraction !== undefined) limits[key] = fraction;
  }
  if (o.minRequests !== undefined) {
    const n = issues.number(`${path}.minRequests`, o.minRequests, { integer: true, nonNegative: true });
    if (n !== undefined) limits.minRequests = n;
  }
  if (o.shardsOnTime !== undefined) {
    const b = issues.boolean(`${path}.shardsOnTime`, o.shardsOnTime);
    if (b !== undefined) limits.shardsOnTime = b;
  }
  return Object.keys(limits).length ? limits : undefined;
}
