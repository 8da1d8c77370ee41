/**
 * Time as the engine sees it: milliseconds (fractional) on a monotonic clock, and sleeps that
 * an AbortSignal can cut short. Tests pass a fake clock and move time by hand.
 */
export interface Clock {
  now(): number;
  /**
   * Resolves at `atMs` (on this clock), or early when the signal aborts. With `earlyMs`, it may
   * resolve up to that much before `atMs`, never more.
   */
  sleepUntil(atMs: number, signal?: AbortSignal, earlyMs?: number): Promise<void>;
  /**
   * How early an open-model iteration may start (ms). Timers that fire on a millisecond loop
   * clock cannot hit a time exactly: waiting until it has surely passed makes a start up to
   * 2 ms late, and that lateness would be measured as latency. Starting up to this much early,
   * and measuring such an iteration from its actual start, keeps the schedule and the figures.
   */
  readonly arrivalEarlyMs: number;
}

const wallNow = () => performance.timeOrigin + performance.now();
const MAX_TIMER_MS = 2 ** 31 - 1;

export const realClock: Clock = {
  now: wallNow,
  arrivalEarlyMs: 1,
  sleepUntil(atMs, signal, earlyMs = 0) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      let timer: NodeJS.Timeout | undefined;
      // Timers run on a millisecond loop clock and may fire a little early: check, and wait
      // again if so. Never wake more than `earlyMs` before the time. Without `earlyMs` a wake is
      // up to about 2 ms late; an iteration's latency counts from its intended start, so that
      // lateness is measured (see arrivalEarlyMs).
      const wake = () => {
        const wait = atMs - wallNow();
        if (wait <= earlyMs || signal?.aborted) {
          signal?.removeEventListener('abort', onAbort);
          return resolve();
        }
        // Node's timers hold at most 2^31-1 ms (about 24.8 days): a longer wait is taken in
        // steps, never handed over whole (it would fire after 1 ms, again and again).
        timer = setTimeout(wake, Math.min(MAX_TIMER_MS, earlyMs >= 1 ? Math.floor(wait) : Math.ceil(wait)));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Even a sleep that is already due yields to the event loop once: a loop that sleeps
      // until a time in the past must not starve timers and I/O.
      if (atMs - wallNow() <= earlyMs) setImmediate(wake);
      else wake();
    });
  },
};

/** A clock that moves only when told to; sleepers wake in time order. */
export class FakeClock implements Clock {
  private t: number;
  private sleepers: { at: number; resolve: () => void; seq: number }[] = [];
  private seq = 0;

  /** `arrivalEarlyMs`: 0 unless a test gives one; sleeps with `earlyMs` then wake that early. */
  constructor(
    startMs = 0,
    readonly arrivalEarlyMs = 0,
  ) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  sleepUntil(atMs: number, signal?: AbortSignal, earlyMs = 0): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = { at: Math.max(atMs - earlyMs, this.t), resolve, seq: this.seq++ };
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
