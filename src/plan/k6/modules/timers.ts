/**
 * `k6/experimental/timers` (and `k6/timers`, its later name): setTimeout, clearTimeout,
 * setInterval, clearInterval, as k6 v0.47 has them. A timer belongs to the call into the script
 * that set it (an iteration, setup(), teardown()): that call ends only when every timeout has
 * fired or been cleared and every interval has been cleared (event-loop.ts); an interval never
 * cleared keeps the iteration going until the run stops it. The callback runs as the VU that set
 * the timer, with the extra arguments given; a callback that makes blocking calls is awaited
 * before the timer counts as done. Ids are numbers from 1, per VU, as in k6.
 */
import { current, type K6Context, required, runIn } from '../context.ts';
import { keepOpen, workOf } from '../event-loop.ts';

type Callback = (...args: unknown[]) => unknown;

interface VuTimers {
  last: number;
  /** Id → what stops that timer and lets its call end. */
  live: Map<number, () => void>;
}

/** Per VU (per context in setup() and teardown(), which have none). */
const timersOf = new WeakMap<object, VuTimers>();

function vuTimers(ctx: K6Context): VuTimers {
  const key = ctx.vu ?? ctx;
  let t = timersOf.get(key);
  if (!t) {
    t = { last: 0, live: new Map() };
    timersOf.set(key, t);
  }
  return t;
}

function delayOf(delay: unknown): number {
  const ms = Number(delay ?? 0);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

function start(what: string, callback: unknown, delay: unknown, args: unknown[], repeat: boolean): number {
  if (typeof callback !== 'function') throw new TypeError(`${what}: the callback must be a function`);
  const ctx = current() ?? required(`${what}()`);
  const timers = vuTimers(ctx);
  const work = workOf(ctx);
  const id = ++timers.last;
  const ms = delayOf(delay);
  let finish!: () => void;
  let fail!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    finish = res;
    fail = rej;
  });
  let busy = false;
  const fire = async () => {
    if (busy) return; // an interval's tick while its callback still runs waits for the next one, as k6 queues
    busy = true;
    try {
      await runIn(ctx, () => (callback as Callback).apply(globalThis, args));
      if (!repeat) stop();
    } catch (e) {
      fail(e); // before stop(), which would settle the timer as done
      stop();
    } finally {
      busy = false;
    }
  };
  const handle = repeat ? setInterval(fire, ms) : setTimeout(fire, ms);
  const stop = () => {
    if (!timers.live.delete(id)) return;
    work.cancels.delete(stop);
    clearTimeout(handle);
    finish();
  };
  timers.live.set(id, stop);
  work.cancels.add(stop);
  // A callback's error is the iteration's: reported by drain().
  keepOpen(ctx, done, () => false);
  return id;
}

function setTimeout_(callback: unknown, delay?: unknown, ...args: unknown[]): number {
  return start('setTimeout', callback, delay, args, false);
}
function setInterval_(callback: unknown, delay?: unknown, ...args: unknown[]): number {
  return start('setInterval', callback, delay, args, true);
}

function clear(id: unknown): void {
  const ctx = current();
  if (!ctx) return;
  vuTimers(ctx).live.get(Number(id))?.();
}

export {
  clear as clearInterval,
  clear as clearTimeout,
  setInterval_ as setInterval,
  setTimeout_ as setTimeout,
};

export default {
  setTimeout: setTimeout_,
  clearTimeout: clear,
  setInterval: setInterval_,
  clearInterval: clear,
};
