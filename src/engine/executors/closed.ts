/**
 * Closed models: constant-vus, ramping-vus, per-vu-iterations, shared-iterations. Each VU runs
 * one iteration after another; the next starts when the previous ends.
 */
import { vuTargetAt } from '../../plan/executors/stages.ts';
import type { ScenarioConfig } from '../../plan/types.ts';
import type { VirtualUser } from '../vu.ts';
import { drain, type ExecutorContext, runWideNumber, threadShare, yieldToLoop } from './context.ts';

type Cfg<E extends ScenarioConfig['executor']> = Extract<ScenarioConfig, { executor: E }>;

/** Ends the scenario's time at `endAt`: nothing new starts after it. */
function stopAt(ctx: ExecutorContext, endAt: number): void {
  ctx.clock.sleepUntil(endAt, ctx.stop.signal).then(() => ctx.stop.abort());
}

/** A VU loop: runs iterations while `more()` says so and nothing stopped it. */
async function loop(
  ctx: ExecutorContext,
  vu: VirtualUser,
  next: () => number | undefined,
  own?: AbortSignal,
): Promise<void> {
  for (let i = 1; ; i++) {
    if (ctx.stop.signal.aborted || own?.aborted) return;
    const n = next();
    if (n === undefined) return;
    await ctx.runIteration(vu, n, ctx.clock.now());
    // A flow that never waits on I/O must not starve timers; one that does costs nothing here.
    if (i % 16 === 0) await yieldToLoop();
  }
}

/** Run-wide iteration numbers for this thread's iterations, at most `limit` of them. */
function counter(ctx: ExecutorContext, limit = Number.POSITIVE_INFINITY): () => number | undefined {
  let k = 0;
  return () => (k < limit ? runWideNumber(ctx, k++) : undefined);
}

export async function runConstantVus(ctx: ExecutorContext<Cfg<'constant-vus'>>): Promise<void> {
  stopAt(ctx, ctx.startAt + ctx.config.durationMs);
  const next = counter(ctx);
  const inflight = new Set<Promise<void>>();
  for (let i = 0; i < threadShare(ctx, ctx.config.vus); i++) inflight.add(loop(ctx, ctx.newVu(), next));
  await Promise.race([
    Promise.all(inflight),
    new Promise((r) => ctx.stop.signal.addEventListener('abort', r)),
  ]);
  await drain(inflight, ctx);
}

export async function runIterations(
  ctx: ExecutorContext<Cfg<'per-vu-iterations'> | Cfg<'shared-iterations'>>,
): Promise<void> {
  const { config } = ctx;
  stopAt(ctx, ctx.startAt + config.maxDurationMs);
  const vus = threadShare(ctx, config.vus);
  const inflight = new Set<Promise<void>>();
  if (config.executor === 'per-vu-iterations') {
    // VU i of this thread runs its own iterations; numbers stay unique across VUs, threads and segments.
    for (let i = 0; i < vus; i++) {
      let k = 0;
      const globalVu = runWideNumber(ctx, i);
      const next = () => (k < config.iterations ? globalVu * config.iterations + k++ : undefined);
      inflight.add(loop(ctx, ctx.newVu(), next));
    }
  } else {
    const next = counter(ctx, threadShare(ctx, config.iterations));
    for (let i = 0; i < vus; i++) inflight.add(loop(ctx, ctx.newVu(), next));
  }
  const finished = Promise.all(inflight).then(() => ctx.stop.abort());
  await Promise.race([finished, new Promise((r) => ctx.stop.signal.addEventListener('abort', r))]);
  await drain(inflight, ctx);
}

export async function runRampingVus(ctx: ExecutorContext<Cfg<'ramping-vus'>>): Promise<void> {
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
