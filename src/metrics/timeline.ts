/**
 * The per-second series of a run, merged over threads. A second is closed (its percentiles
 * computed from the merged histogram, the histogram freed) once every thread still running
 * has reported a later one, so memory does not grow with the run's length.
 */

import { type Histogram, percentileMs } from './histogram.ts';
import { SnapshotSum } from './snapshot-sum.ts';
import { ThreadWatermark } from './thread-watermark.ts';

/** What happened in one second (or since the last tick) of one thread. */
export interface TimelineDelta {
  requests: number;
  byStatus: Record<string, number>;
  errors: Record<string, number>;
  /** Latency histogram (`snapshotHistogram` bytes) of the requests that finished in this second. */
  histogram?: Uint8Array;
  iterations: number;
  dropped: number;
  activeVUs: number;
}

/** One second of the run. Percentiles are of the requests that completed in that second. */
export interface TimelinePoint {
  /** Seconds since the run's start (the end of this second). */
  t: number;
  requests: number;
  byStatus: Record<string, number>;
  errors: Record<string, number>;
  p50: number;
  p95: number;
  p99: number;
  activeVUs: number;
  iterations: number;
  dropped: number;
}

interface Open {
  point: TimelinePoint;
  /** The second's latencies from every thread, made a histogram once, when it closes. */
  latencies?: SnapshotSum;
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const k in from) into[k] = (into[k] ?? 0) + (from[k] as number);
}

/**
 * The same counts in an object that stays small. V8 keeps keys that look like array indices
 * ('200', '503') in an array as long as the largest of them once they are assigned one by one:
 * kilobytes for each closed second, kept for the whole run. Parsed from JSON they are a small
 * dictionary instead.
 */
function compactCounts(counts: Record<string, number>): Record<string, number> {
  return JSON.parse(JSON.stringify(counts));
}

export class Timeline {
  private readonly open = new Map<number, Open>();
  private readonly closed: TimelinePoint[] = [];
  private readonly threads: ThreadWatermark;
  /** Sums of closed seconds, emptied, for the next seconds: their room is not allocated again. */
  private readonly spare: SnapshotSum[] = [];

  /**
   * @param onClose called with each second as it closes, and its merged latency histogram
   *   (freed right after the call), for a shard to keep its raw seconds.
   */
  constructor(
    threads: number,
    private readonly onClose?: (point: TimelinePoint, histogram: Histogram | undefined) => void,
  ) {
    this.threads = new ThreadWatermark(threads);
  }

  add(thread: number, second: number, d: TimelineDelta, final: boolean): void {
    let o = this.open.get(second);
    if (!o) {
      // A late delta for a closed second is folded into the last closed one.
      const last = this.closed[this.closed.length - 1];
      if (last && second <= last.t) {
        this.fold(last, d);
        return;
      }
      o = {
        point: {
          t: second,
          requests: 0,
          byStatus: {},
          errors: {},
          p50: 0,
          p95: 0,
          p99: 0,
          activeVUs: 0,
          iterations: 0,
          dropped: 0,
        },
      };
      this.open.set(second, o);
    }
    this.fold(o.point, d);
    if (d.histogram) {
      o.latencies ??= this.spare.pop() ?? new SnapshotSum();
      o.latencies.add(d.histogram);
    }
    this.closeUpTo(this.threads.report(thread, second, final));
  }

  /** A thread that ended without its final tick (it failed): seconds no longer wait for it. */
  abandon(thread: number): void {
    this.closeUpTo(this.threads.end(thread));
  }

  private fold(p: TimelinePoint, d: TimelineDelta): void {
    p.requests += d.requests;
    addCounts(p.byStatus, d.byStatus);
    addCounts(p.errors, d.errors);
    p.iterations += d.iterations;
    p.dropped += d.dropped;
    p.activeVUs += d.activeVUs;
  }

  private closeUpTo(second: number): void {
    for (const t of [...this.open.keys()].sort((a, b) => a - b)) {
      if (t > second) break;
      const o = this.open.get(t) as Open;
      this.open.delete(t);
      const histogram = o.latencies?.toHistogram();
      if (o.latencies) {
        o.latencies.clear();
        this.spare.push(o.latencies);
      }
      if (histogram) {
        o.point.p50 = percentileMs(histogram, 50);
        o.point.p95 = percentileMs(histogram, 95);
        o.point.p99 = percentileMs(histogram, 99);
      }
      o.point.byStatus = compactCounts(o.point.byStatus);
      o.point.errors = compactCounts(o.point.errors);
      this.onClose?.(o.point, histogram);
      histogram?.destroy();
      this.closed.push(o.point);
    }
  }

  /** The newest closed second, for a live display. */
  latest(): TimelinePoint | undefined {
    return this.closed[this.closed.length - 1];
  }

  /** Closes everything and returns the series. */
  finish(): TimelinePoint[] {
    this.closeUpTo(Number.POSITIVE_INFINITY);
    return this.closed;
  }
}
