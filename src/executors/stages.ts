/**
 * Stages (`[{ duration, target }]`) of the ramping executors: validated, summed, rescaled, and
 * followed over time (the target at a moment, moving linearly from one stage's target to the next).
 */
import { duration, positiveNumber } from '../plan/fields.ts';
import { type Issues, isObject, typeName } from '../plan/issues.ts';
import type { StageMs } from './config.ts';

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

/** The target at `ms`, linear from one stage's target to the next (ramping-arrival-rate's rate, as its pacer moves). */
export function stageTargetAt(start: number, stages: readonly StageMs[], ms: number): number {
  let from = start;
  let t = 0;
  for (const s of stages) {
    if (ms < t + s.durationMs)
      return from + (s.target - from) * (s.durationMs > 0 ? (ms - t) / s.durationMs : 1);
    t += s.durationMs;
    from = s.target;
  }
  return from;
}

/** Target VUs at `elapsedMs` (rounded down, as k6 does while ramping; the targets are whole VUs). */
export function vuTargetAt(startVUs: number, stages: readonly StageMs[], elapsedMs: number): number {
  return Math.floor(stageTargetAt(startVUs, stages, elapsedMs));
}
