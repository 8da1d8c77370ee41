/**
 * The open model's run, shared by constant-arrival-rate and ramping-arrival-rate (each gives its
 * pacer, `<name>/run.ts`). Iterations start on an absolute timeline (the pacer), each on a free
 * VU. Of its segment's arrivals (the whole run's unless it is a shard), this thread takes the
 * index-th, (index+count)-th, ... With every maxVU busy an iteration is dropped, or with
 * onSaturation 'queue' waits for a VU and is measured from its intended start. An iteration may
 * start up to the clock's arrivalEarlyMs before its time, and is then measured from its actual
 * start: never from a time before it began, which would hide latency.
 */
import type { Pacer } from '../engine/pacer.ts';
import type { VirtualUser } from '../engine/vu.ts';
import type { ScenarioConfig } from '../plan/types.ts';
import type { VuPool } from './config.ts';
import { type ExecutorContext, threadShare } from './run-context.ts';

/** Queued iterations beyond this are dropped, so memory stays bounded. */
const QUEUE_LIMIT = 100_000;

/** Runs this thread's share of the arrivals `pacer` schedules, on the scenario's VU pool. */
export async function runArrivals(
  ctx: ExecutorContext<ScenarioConfig & VuPool>,
  pacer: Pacer,
): Promise<void> {
  const { config, clock, index, count, segment, stop } = ctx;
  const maxVUs = threadShare(ctx, config.maxVUs);
  const free: VirtualUser[] = [];
  for (let i = 0; i < threadShare(ctx, config.preAllocatedVUs); i++) free.push(ctx.newVu());
  let made = free.length;
  const queue: { n: number; at: number }[] = [];
  let queueHead = 0;
  const inflight = new Set<Promise<void>>();
  const endAt = ctx.startAt + pacer.durationMs;

  let expired = false;
  let onIdle: (() => void) | undefined;
  const launch = (vu: VirtualUser, n: number, at: number) => {
    // Measured from its intended start, or from now when it starts early (see arrivalEarlyMs).
    const p: Promise<void> = ctx.runIteration(vu, n, Math.min(at, clock.now())).then(() => {
      inflight.delete(p);
      if (queueHead < queue.length && !expired) {
        const next = queue[queueHead++] as { n: number; at: number };
        if (queueHead > 1024 && queueHead * 2 > queue.length) {
          queue.splice(0, queueHead);
          queueHead = 0;
        }
        launch(vu, next.n, next.at);
      } else {
        free.push(vu);
        if (inflight.size === 0) onIdle?.();
      }
    });
    inflight.add(p);
  };

  for (let k = 0; ; k++) {
    // The k-th arrival of this thread is arrival n of the single-process schedule.
    const n = segment.nth(index + k * count);
    const t = pacer.timeOf(n);
    if (!Number.isFinite(t)) break;
    const at = ctx.startAt + t;
    // A thread that started late (after the agreed start) does not burst the arrivals it missed.
    if (at < ctx.missedBefore) {
      ctx.missed();
      continue;
    }
    if (clock.now() < at - clock.arrivalEarlyMs)
      await clock.sleepUntil(at, stop.signal, clock.arrivalEarlyMs);
    if (stop.signal.aborted) break;
    let vu = free.pop();
    if (!vu && made < maxVUs) {
      vu = ctx.newVu();
      made++;
    }
    if (vu) launch(vu, n, at);
    else if (config.onSaturation === 'queue' && queue.length - queueHead < QUEUE_LIMIT) queue.push({ n, at });
    else ctx.dropped();
  }
  // The schedule is over (or stopped): wait out the rest of the scenario's time, then stop.
  if (!stop.signal.aborted && clock.now() < endAt) await clock.sleepUntil(endAt, stop.signal);
  // Stopped from outside (SIGINT, an abort): queued iterations do not start any more.
  if (stop.signal.aborted) expired = true;
  stop.abort();
  // In-flight and queued iterations get gracefulStop to finish; queued ones that never
  // started by then are dropped.
  if (inflight.size > 0) {
    const giveUp = new AbortController();
    await Promise.race([
      new Promise<void>((resolve) => {
        onIdle = resolve;
      }),
      clock.sleepUntil(clock.now() + ctx.gracefulStopMs, giveUp.signal),
    ]);
    giveUp.abort();
  }
  expired = true;
  ctx.dropped(queue.length - queueHead);
}
