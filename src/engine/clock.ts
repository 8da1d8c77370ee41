/**
 * Time as the engine sees it: milliseconds (fractional) on a monotonic clock, and sleeps that
 * an AbortSignal can cut short. Tests pass a fake clock and move time by hand.
 */
export interface Clock {
  now(): number;
  /** Resolves at `atMs` (on this clock), or early when the signal aborts. */
  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void>;
}

const wallNow = () => performance.timeOrigin + performance.now();

export const realClock: Clock = {
  now: wallNow,
  sleepUntil(atMs, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      let timer: NodeJS.Timeout | undefined;
      // Timers run on a millisecond loop clock and may fire a little early: check, and wait
      // again if so. Never wake before the time (an early start would hide latency); a wake
      // up to about a millisecond late is measured, since latency counts from the intended start.
      const wake = () => {
        const wait = atMs - wallNow();
        if (wait <= 0 || signal?.aborted) {
          signal?.removeEventListener('abort', onAbort);
          return resolve();
        }
        timer = setTimeout(wake, Math.ceil(wait));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Even a sleep that is already due yields to the event loop once: a loop that sleeps
      // until a time in the past must not starve timers and I/O.
      if (atMs - wallNow() <= 0) setImmediate(wake);
      else wake();
    });
  },
};

/** A clock that moves only when told to; sleepers wake in time order. */
export class FakeClock implements Clock {
  private t: number;
  private sleepers: { at: number; resolve: () => void; seq: number }[] = [];
  private seq = 0;

  constructor(startMs = 0) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = { at: Math.max(atMs, this.t), resolve, seq: this.seq++ };
      this.sleepers.push(entry);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== entry);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Moves time forward by `ms`, waking each sleeper at its time and letting promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      this.sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.sleepers[0];
      if (!next || next.at > end) break;
      this.sleepers.shift();
      this.t = next.at;
      next.resolve();
    }
    this.t = end;
    await settle();
  }

  /** Advances in steps until `done()` or `maxMs` has passed. */
  async runUntil(done: () => boolean, maxMs: number, stepMs = 1): Promise<void> {
    const limit = this.t + maxMs;
    while (!done() && this.t < limit) await this.advance(stepMs);
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}
