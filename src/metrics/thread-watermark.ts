/**
 * Which seconds of a run every thread has reported: a second may be closed once each thread
 * still running has reported a later one (or has ended). Per-second aggregates use it to hand
 * a second on only when nothing more can come for it.
 */
export class ThreadWatermark {
  private readonly lastSecond: number[];
  private readonly ended: boolean[];

  constructor(threads: number) {
    this.lastSecond = new Array(threads).fill(0);
    this.ended = new Array(threads).fill(false);
  }

  /** A thread reported `second` (`final`: its last); returns the seconds now closed up to. */
  report(thread: number, second: number, final: boolean): number {
    this.lastSecond[thread] = Math.max(this.lastSecond[thread] as number, second);
    if (final) this.ended[thread] = true;
    return this.value();
  }

  /** A thread ended without its final report (it failed); returns the seconds now closed up to. */
  end(thread: number): number {
    this.ended[thread] = true;
    return this.value();
  }

  /** Every second up to this one has heard from every thread still running. */
  value(): number {
    let w = Number.POSITIVE_INFINITY;
    this.lastSecond.forEach((s, i) => {
      if (!this.ended[i]) w = Math.min(w, s);
    });
    return w;
  }
}
