/**
 * Closed-model VU targets as a pure function of time: ramping-vus moves the number of VUs
 * linearly from one stage's target to the next.
 */
export interface VuStage {
  durationMs: number;
  target: number;
}

/** Target VUs at `elapsedMs` (rounded down, as k6 does while ramping). */
export function vuTargetAt(startVUs: number, stages: readonly VuStage[], elapsedMs: number): number {
  let from = startVUs;
  let t = 0;
  for (const s of stages) {
    if (elapsedMs < t + s.durationMs) {
      const frac = s.durationMs > 0 ? (elapsedMs - t) / s.durationMs : 1;
      return Math.floor(from + (s.target - from) * frac);
    }
    t += s.durationMs;
    from = s.target;
  }
  return from;
}
