/**
 * k6's event loop, per call into the script: an iteration (and setup(), teardown()) ends only
 * when the work it started has ended too: timers not cleared (k6/experimental/timers) and
 * promises of k6's asynchronous modules (k6/experimental/redis) with the `.then` chains hung on
 * them. A callback or a handler that throws, or a promise nobody handles that rejects, ends the
 * call with that error, as an uncaught exception ends a k6 iteration.
 *
 * Those callbacks run as the VU that scheduled them (context.ts): loadproof runs many VUs on one
 * event loop, so each is called inside `runIn` with the context captured when it was scheduled.
 */
import { type K6Context, runIn } from './context.ts';

/** What one call into the script still waits for. */
export interface PendingWork {
  /** Promises that settle when a piece of work has ended. */
  readonly pending: Set<Promise<unknown>>;
  /** Errors thrown by callbacks, or rejections nothing handled, in the order they happened. */
  readonly errors: unknown[];
  /** Called when the run stops: clears the timers, so that nothing fires afterwards. */
  readonly cancels: Set<() => void>;
}

const works = new WeakMap<K6Context, PendingWork>();

export function workOf(ctx: K6Context): PendingWork {
  let w = works.get(ctx);
  if (!w) {
    w = { pending: new Set(), errors: [], cancels: new Set() };
    works.set(ctx, w);
  }
  return w;
}

/** Keeps `ctx`'s call open until `p` settles; a rejection of `p` is reported unless `handled()` says otherwise. */
export function keepOpen(ctx: K6Context, p: Promise<unknown>, handled: () => boolean = () => true): void {
  const w = workOf(ctx);
  // Promise's own then: a VuPromise's would follow itself without end.
  const tracked = Promise.prototype.then.call(
    p,
    () => undefined,
    (e) => {
      if (!handled()) w.errors.push(e);
    },
  );
  w.pending.add(tracked);
  void tracked.finally(() => w.pending.delete(tracked));
}

/** Whether `ctx`'s call started any work at all (most iterations start none: no await for them). */
export function hasWork(ctx: K6Context): boolean {
  return works.has(ctx);
}

/**
 * Waits until `ctx`'s call has nothing left to do, then throws the first error a callback threw.
 * Work started while waiting is waited for too. `signal` (the run stopping) cancels what is left.
 */
export async function drain(ctx: K6Context, signal?: AbortSignal): Promise<void> {
  const w = works.get(ctx);
  if (!w) return;
  let stopped!: () => void;
  // When the run stops, what is left (a timer, a command without an answer) is not waited for.
  const stopping = new Promise<void>((res) => {
    stopped = res;
  });
  const cancel = () => {
    for (const c of w.cancels) c();
    w.cancels.clear();
    stopped();
  };
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    while (w.pending.size > 0 && !signal?.aborted)
      await Promise.race([Promise.all([...w.pending]), stopping]);
  } finally {
    signal?.removeEventListener('abort', cancel);
    if (signal?.aborted) cancel();
  }
  if (w.errors.length === 0) return;
  const [first] = w.errors.splice(0);
  throw first;
}

/**
 * A promise handed to the script by an asynchronous k6 module: the handlers given to its `then`,
 * `catch` and `finally` run as the VU that made it, and the promises they make are followed too,
 * so that the iteration waits for the whole chain (see keepOpen). This crosses into user code: a
 * plain Promise (a subclass whose only difference is where its handlers run).
 */
export class VuPromise<T> extends Promise<T> {
  static override get [Symbol.species]() {
    return Promise;
  }
  private ctx: K6Context | undefined;
  private chained = false;

  /** `p` as a VuPromise of `ctx`, which keeps `ctx`'s call open until it settles. */
  static of<T>(ctx: K6Context | undefined, p: PromiseLike<T>): VuPromise<T> {
    let resolve!: (v: T | PromiseLike<T>) => void;
    let reject!: (e: unknown) => void;
    const out = new VuPromise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    out.ctx = ctx;
    p.then(resolve, reject);
    // Rejections are reported to the call (keepOpen), never to the process as unhandled.
    Promise.prototype.then.call(out, undefined, () => {});
    if (ctx) keepOpen(ctx, out, () => out.chained);
    return out;
  }

  // biome-ignore lint/suspicious/noThenProperty: a Promise whose handlers run as their VU is the point.
  override then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.chained = true;
    const ctx = this.ctx;
    const asVu =
      <V, R>(f: ((v: V) => R) | null | undefined) =>
      (v: V): R =>
        runIn(ctx, () => (f as (v: V) => R)(v));
    const next = super.then(
      typeof onFulfilled === 'function' ? asVu(onFulfilled) : onFulfilled,
      typeof onRejected === 'function' ? asVu(onRejected) : onRejected,
    );
    return VuPromise.of(ctx, next);
  }
}
