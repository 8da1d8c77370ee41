/** Stages (`[{ duration, target }]`) of the ramping executors: validated, summed, rescaled. */
import { duration, positiveNumber } from '../fields.ts';
import { type Issues, isObject, typeName } from '../issues.ts';

export interface StageMs {
  durationMs: number;
  target: number;
}

export function validateStages(issues: Issues, path: string, v: unknown): StageMs[] {
  if (!Array.isArray(v) || v.length === 0) {
    issues.error(path, `expected a non-empty array of { duration, target }, got ${typeName(v)}`);
    return [];
  }
  return v.map((s, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(s)) {
      issues.error(p, `expected { duration, target }, got ${typeName(s)}`);
      return { durationMs: 0, target: 0 };
    }
    issues.unknownKeys(p, s, ['duration', 'target']);
    return {
      durationMs: duration(issues, `${p}.duration`, s.duration),
      target: positiveNumber(issues, `${p}.target`, s.target, { zero: true }),
    };
  });
}

export function stagesMs(stages: readonly StageMs[]): number {
  return stages.reduce((a, s) => a + s.durationMs, 0);
}

/** The same stages stretched or squeezed to last `totalMs`. */
export function scaleStages(stages: readonly StageMs[], totalMs: number): StageMs[] {
  const current = stagesMs(stages);
  const f = current > 0 ? totalMs / current : 0;
  return stages.map((s) => ({ ...s, durationMs: s.durationMs * f }));
}
