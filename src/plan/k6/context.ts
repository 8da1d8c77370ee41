/**
 * Who is running k6 code right now. Many VUs share one thread, so the k6 modules find their VU
 * in one variable of the thread: it is set when loadproof calls into the script (an iteration
 * with its VU's context, setup() and teardown() with a context of their own, init code with
 * none) and, since other VUs run while one waits, set back after every `await` of the script
 * (the transform rewrites `await x` as `back(here(), await x)`, see transform.ts). A plain
 * variable instead of an AsyncLocalStorage: its promise hooks cost every promise of the thread.
 */
import type { HttpResponse, RequestOptions, Vu } from '../types.ts';

/** What k6/http needs from a VU (a VU's own, or the one setup() and teardown() use). */
export interface K6Http {
  request(method: string, url: string, options?: RequestOptions): Promise<HttpResponse>;
  batch(requests: readonly ({ method: string; url: string } & RequestOptions)[]): Promise<HttpResponse[]>;
}

export interface K6Scenario {
  name: string;
  executor: string;
  /** Epoch milliseconds when the scenario's first iteration started in this thread. */
  startTime: number;
}

export interface K6Context {
  stage: 'setup' | 'iteration' | 'teardown';
  vu?: Vu;
  http: K6Http;
  env: Record<string, string | undefined>;
  scenario?: K6Scenario;
  /** Epoch milliseconds when the test's load started, as far as this thread can tell. */
  testStart?: number;
}

/** Per thread: what the script being loaded declares, and the state of its run. */
export interface K6State {
  /** __ENV in init code: the process environment with --env values over it. */
  env: Record<string, string | undefined>;
  /** Custom metrics the init code declared (k6/metrics constructors). */
  metrics: Map<string, 'trend' | 'counter' | 'rate' | 'gauge'>;
  /** Custom metrics declared with isTime (k6's summary says they contain time). */
  timeMetrics: Set<string>;
  /** SharedArray contents by name, built once per thread. */
  sharedArrays: Map<string, readonly unknown[]>;
  /** options.discardResponseBodies: responses without a responseType get no body. */
  discardResponseBodies: boolean;
  /** options.batch and options.batchPerHost (0: no limit). */
  batchLimits: { total: number; perHost: number };
  /** exec.test.abort() was called in this thread. */
  aborted: boolean;
  /** Epoch milliseconds when the load started, from this thread's first iteration. */
  testStart?: number;
  /** Headers every k6/http request of the thread carries, made per request (k6/experimental/tracing's instrumentHTTP). */
  requestHeaders?: () => Record<string, string>;
}

export const state: K6State = {
  env: { ...process.env },
  metrics: new Map(),
  timeMetrics: new Set(),
  sharedArrays: new Map(),
  discardResponseBodies: false,
  batchLimits: { total: 20, perHost: 6 },
  aborted: false,
};

let running: K6Context | undefined;

export function current(): K6Context | undefined {
  return running;
}

/** Calls `fn` with `ctx` as the current context; what runs after its first await sets it back itself. */
export function runIn<T>(ctx: K6Context | undefined, fn: () => T): T {
  const before = running;
  running = ctx;
  try {
    return fn();
  } finally {
    running = before;
  }
}

/** Makes `ctx` current again and passes `value` on: the script's code after an await. */
export function back<T>(ctx: K6Context | undefined, value: T): T {
  running = ctx;
  return value;
}

/** The context, or k6's error for calling `what` in init code. */
export function required(what: string): K6Context {
  const ctx = running;
  if (!ctx)
    throw new Error(`${what} cannot be called in the init context (outside setup, teardown and VU code)`);
  return ctx;
}

/** The counter exec.test.abort() increments; a threshold on it stops the run. */
export const ABORT_METRIC = 'k6_test_aborted';

/** Thrown by exec.test.abort() and fail() to end the iteration. */
export class K6AbortError extends Error {
  override name = 'AbortError';
}
