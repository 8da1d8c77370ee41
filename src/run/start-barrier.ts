/**
 * The instant the load starts. Threads are started first (plan loaded, workers up, no connection
 * open yet); then every thread is told the same epoch: `--start-at`, agreed by the shards of a
 * run, or just after now. A shard ready after the agreed instant starts late, and the arrivals
 * already due count as missed.
 */
import { realClock } from '../engine/clock.ts';
import type { LoadThread } from '../engine/threads.ts';

/** How long after being ready the threads start when no instant was agreed (ms). */
const START_MARGIN_MS = 20;

export class StartBarrier {
  /** The load's start on the engine's clock (0 until released). */
  epoch = 0;
  /** The same instant as wall-clock epoch ms. */
  epochWallMs = 0;
  /** How late this process was for the agreed start (ms). */
  startSkewMs = 0;
  private startedAtMs = Date.now();

  constructor(
    private readonly startAtMs: number | undefined,
    private readonly log: (message: string) => void,
  ) {}

  /** Tells every thread when to start. */
  release(threads: readonly LoadThread[]): void {
    const readyAtMs = Date.now();
    if (this.startAtMs !== undefined) {
      this.startSkewMs = Math.max(0, readyAtMs - this.startAtMs);
      if (this.startSkewMs > 0)
        this.log(
          `started ${this.startSkewMs} ms after --start-at: arrivals already due are counted as missed_arrivals`,
        );
      this.epoch = realClock.now() + (this.startAtMs - readyAtMs);
    } else this.epoch = realClock.now() + START_MARGIN_MS;
    this.epochWallMs = Date.now() + (this.epoch - realClock.now());
    this.startedAtMs = this.epochWallMs;
    for (const t of threads) t.send({ type: 'start', epoch: this.epoch });
  }

  /** When the load started (epoch ms); before the release, when the run did. */
  startedAt(): number {
    return this.startedAtMs;
  }

  /** How long the load has run (ms); negative before its start, 0 for one stopped before it. */
  elapsedMs(): number {
    return realClock.now() - this.epoch;
  }
}
