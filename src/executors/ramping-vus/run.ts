/**
 * ramping-vus: the number of looping VUs follows the stages, checked every 100 ms; a VU beyond
 * the target finishes its current iteration, then leaves.
 */

import type { VirtualUser } from '../../engine/vu.ts';
import type { ConfigOf } from '../index.ts';
import { drain, type ExecutorContext, threadShare } from '../run-context.ts';
import type { ExecutorRun } from '../run-definition.ts';
import { counter, loop, stopAt } from '../run-vu-loop.ts';
import { vuTargetAt } from '../stages.ts';

async function runRampingVus(ctx: ExecutorContext<ConfigOf<'ramping-vus'>>): Promise<void> {
  const { config, clock } = ctx;
  const total = config.stages.reduce((a, s) => a + s.durationMs, 0);
  const endAt = ctx.startAt + total;
  stopAt(ctx, endAt);
  const next = counter(ctx);
  const running: { vu: VirtualUser; own: AbortController; done: Promise<void> }[] = [];
  const idle: VirtualUser[] = [];
  const retiring = new Set<Promise<void>>();
  const TICK_MS = 100;
  while (!ctx.stop.signal.aborted && clock.now() < endAt) {
    const elapsed = clock.now() - ctx.startAt;
    const target = threadShare(ctx, vuTargetAt(config.startVUs, config.stages, elapsed));
    while (running.length < target) {
      const vu = idle.pop() ?? ctx.newVu();
      const own = new AbortController();
      const done = loop(ctx, vu, next, own.signal);
      const entry = { vu, own, done };
      running.push(entry);
    }
    while (running.length > target) {
      // The newest VU finishes its current iteration, then leaves.
      const entry = running.pop() as (typeof running)[number];
      entry.own.abort();
      const p = entry.done.then(() => {
        retiring.delete(p);
        idle.push(entry.vu);
      });
      retiring.add(p);
    }
    await clock.sleepUntil(Math.min(clock.now() + TICK_MS, endAt), ctx.stop.signal);
  }
  const inflight = new Set<Promise<void>>([...running.map((r) => r.done), ...retiring]);
  await drain(inflight, ctx);
}

export const rampingVusRun: ExecutorRun<'ramping-vus'> = { run: runRampingVus };
