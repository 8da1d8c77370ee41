/**
 * Every series' figures for each second of a run, merged over the threads: the source of the
 * streaming outputs (`--out json=FILE`, `--out csv=FILE`). A second is handed on once every thread
 * still running has reported a later one, in order, and its store is freed: memory holds only
 * the seconds still open.
 */
import { MetricStore, type MetricsDelta } from '../metrics/store.ts';
import { ThreadWatermark } from '../metrics/thread-watermark.ts';

/** Called once per closed second, in order, with that second's figures (freed after the call). */
export type SecondSink = (second: number, figures: MetricStore) => void;

export class SeriesStream {
  private readonly open = new Map<number, MetricStore>();
  private readonly threads: ThreadWatermark;
  private lastClosed = 0;

  constructor(
    threads: number,
    private readonly sink: SecondSink,
  ) {
    this.threads = new ThreadWatermark(threads);
  }

  /** A thread's figures of one second (`final`: its last). */
  add(thread: number, second: number, delta: MetricsDelta, final: boolean): void {
    // A late delta for a second already handed on joins the next one still open.
    const at = Math.max(second, this.lastClosed + 1);
    let figures = this.open.get(at);
    if (!figures) {
      figures = new MetricStore();
      this.open.set(at, figures);
    }
    figures.merge(delta);
    this.closeUpTo(this.threads.report(thread, second, final));
  }

  /** A thread that ended without its final figures (it failed): seconds no longer wait for it. */
  abandon(thread: number): void {
    this.closeUpTo(this.threads.end(thread));
  }

  /** Hands on every second still open. */
  finish(): void {
    this.closeUpTo(Number.POSITIVE_INFINITY);
  }

  private closeUpTo(second: number): void {
    for (const t of [...this.open.keys()].sort((a, b) => a - b)) {
      if (t > second) break;
      const figures = this.open.get(t) as MetricStore;
      this.open.delete(t);
      this.lastClosed = t;
      try {
        this.sink(t, figures);
      } finally {
        figures.destroy();
      }
    }
  }
}
