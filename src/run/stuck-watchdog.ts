/**
 * Terminates a thread still running well after it should have ended: after its scenarios' time
 * and gracefulStop, or after a stop and gracefulStop, with STUCK_MARGIN_MS more. Such a thread
 * runs a flow that never yields; terminating it is the only way to end the run.
 */
import { realClock } from '../engine/clock.ts';
import type { LoadThread } from '../engine/threads.ts';
import type { Plan } from '../plan/types.ts';
import { maxGracefulStopMs, plannedEndMs } from './planned-time.ts';
import { STUCK_MARGIN_MS, stuckMessage } from './stop.ts';

const CHECK_EVERY_MS = 250;

export class StuckWatchdog {
  private readonly ended = new Set<number>();
  private readonly timer: NodeJS.Timeout;

  constructor(plan: Plan, threads: readonly LoadThread[], epoch: number, stopping: () => boolean) {
    let deadline = epoch + plannedEndMs(plan) + STUCK_MARGIN_MS;
    let stopDeadlineSet = false;
    this.timer = setInterval(() => {
      if (stopping() && !stopDeadlineSet) {
        stopDeadlineSet = true;
        deadline = Math.min(deadline, realClock.now() + maxGracefulStopMs(plan) + STUCK_MARGIN_MS);
      }
      if (realClock.now() < deadline) return;
      for (const t of threads) if (!this.ended.has(t.index)) t.terminate(stuckMessage(plan, t));
    }, CHECK_EVERY_MS);
  }

  /** A thread that has ended is never terminated. */
  threadEnded(index: number): void {
    this.ended.add(index);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
