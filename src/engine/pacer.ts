/**
 * Open-model pacing as pure functions of time: a rate curve (iterations per second over
 * time) and its integral. As in k6: constant-arrival-rate's iteration n (from 0) is due when the
 * integral reaches n, so a constant rate r starts iteration n at n/r seconds, up to the end;
 * ramping-arrival-rate's iteration n is due when the integral reaches n + 1, so a ramp from 0
 * starts nothing at 0 and a ramp whose integral is 22.5 starts 22. An absolute timeline, never
 * summed sleeps.
 */

/** A piece of a rate curve: the rate moves linearly from `from` to `to` over `durationMs`. */
export interface RateSegment {
  durationMs: number;
  /** Iterations per second at the segment's start and end. */
  from: number;
  to: number;
}

export interface Pacer {
  /** Total length of the schedule in ms. */
  readonly durationMs: number;
  /** Intended start of iteration n, in ms from the schedule's start; Infinity if it never starts. */
  timeOf(n: number): number;
  /** Iterations due by `elapsedMs` (those with timeOf(n) <= elapsedMs). */
  dueBy(elapsedMs: number): number;
}

/** Iterations started within the first `x` ms of a segment. */
function segmentCount(seg: RateSegment, x: number): number {
  const a = seg.from / 1000;
  const b = seg.to / 1000;
  return a * x + ((b - a) * x * x) / (2 * seg.durationMs);
}

/** Milliseconds into the segment at which its count reaches m (m <= the segment's total). */
function segmentTimeOf(seg: RateSegment, m: number): number {
  if (m <= 0) return 0;
  const a = seg.from / 1000;
  const slope = (seg.to / 1000 - a) / seg.durationMs;
  // Solves slope/2·x² + a·x − m = 0 in a form that stays stable when slope is ~0.
  const root = Math.sqrt(Math.max(0, a * a + 2 * slope * m));
  const denom = a + root;
  return denom > 0 ? (2 * m) / denom : Number.POSITIVE_INFINITY;
}

/**
 * `firstAt` is the integral at which the first iteration is due: 0 (constant-arrival-rate: at
 * once, and none due on the very end) or 1 (ramping-arrival-rate: one due on the very end runs).
 */
export function segmentsPacer(all: RateSegment[], firstAt: 0 | 1 = 0): Pacer {
  // A zero-length segment only moves the rate; it starts nothing.
  const segments = all.filter((s) => s.durationMs > 0);
  const starts: number[] = [];
  const counts: number[] = [];
  let t = 0;
  let c = 0;
  for (const seg of segments) {
    starts.push(t);
    counts.push(c);
    t += seg.durationMs;
    c += segmentCount(seg, seg.durationMs);
  }
  const durationMs = t;
  // Floating error guard: from 0, an iteration due on the very end is not run; from 1, it is.
  const EPS = 1e-9;
  const count = Math.max(0, firstAt === 0 ? Math.ceil(c - EPS) : Math.floor(c + EPS));
  return {
    durationMs,
    timeOf(n: number): number {
      if (n < 0 || n >= count) return Number.POSITIVE_INFINITY;
      const due = n + firstAt;
      for (let i = 0; i < segments.length; i++) {
        const seg = segments[i] as RateSegment;
        const before = counts[i] as number;
        if (due <= before + segmentCount(seg, seg.durationMs) + EPS) {
          return (starts[i] as number) + segmentTimeOf(seg, due - before);
        }
      }
      return Number.POSITIVE_INFINITY;
    },
    dueBy(elapsedMs: number): number {
      if (elapsedMs < 0) return 0;
      const at = Math.min(elapsedMs, durationMs);
      let i = 0;
      while (i < segments.length - 1 && (starts[i + 1] as number) <= at) i++;
      const seg = segments[i];
      if (!seg) return 0;
      const integral = (counts[i] as number) + segmentCount(seg, at - (starts[i] as number));
      return Math.min(Math.max(0, Math.floor(integral + EPS) + 1 - firstAt), count);
    },
  };
}

export function constantPacer(ratePerSec: number, durationMs: number): Pacer {
  return segmentsPacer([{ durationMs, from: ratePerSec, to: ratePerSec }]);
}

/** k6-style stages: the rate moves linearly from the previous target to each stage's target. */
export function rampingPacer(startRate: number, stages: { durationMs: number; target: number }[]): Pacer {
  const segments: RateSegment[] = [];
  let from = startRate;
  for (const s of stages) {
    segments.push({ durationMs: s.durationMs, from, to: s.target });
    from = s.target;
  }
  return segmentsPacer(segments, 1);
}
