/**
 * k6's response callbacks: `http.expectedStatuses(200, { min: 300, max: 399 })` says which
 * statuses are expected (the others count as failed in `http_req_failed`),
 * `http.setResponseCallback(cb)` makes it the default of this thread's requests, and
 * `params.responseCallback` sets it for one request. `null` expects every status. Only the
 * callbacks `expectedStatuses` makes are accepted, as in k6.
 */
import type { RequestOptions } from '../types.ts';

export class ExpectedStatuses {
  private readonly single = new Set<number>();
  private readonly ranges: [number, number][] = [];

  constructor(args: readonly unknown[]) {
    for (const a of args) {
      if (Number.isInteger(a)) this.single.add(a as number);
      else if (
        a &&
        typeof a === 'object' &&
        Number.isInteger((a as { min?: unknown }).min) &&
        Number.isInteger((a as { max?: unknown }).max)
      )
        this.ranges.push([(a as { min: number }).min, (a as { max: number }).max]);
      else
        throw new TypeError(
          `http.expectedStatuses: each argument is a status or { min, max }, got ${JSON.stringify(a)}`,
        );
    }
  }

  has(status: number): boolean {
    return this.single.has(status) || this.ranges.some(([min, max]) => status >= min && status <= max);
  }
}

/** The callback of `http.setResponseCallback`; undefined: loadproof's (and k6's) 2xx/3xx. */
let defaultCallback: ExpectedStatuses | null | undefined;

function checked(cb: unknown, where: string): ExpectedStatuses | null {
  if (cb === null || cb instanceof ExpectedStatuses) return cb;
  throw new TypeError(`${where}: expected http.expectedStatuses(...) or null, got ${typeof cb}`);
}

export function setResponseCallback(cb: unknown): void {
  defaultCallback = checked(cb, 'http.setResponseCallback');
}

/** Whether a request expects every status (`responseCallback: null`, its own or the default). */
export function expectsEveryStatus(params: Record<string, unknown>): boolean {
  return callbackOf(params) === null;
}

function callbackOf(params: Record<string, unknown>): ExpectedStatuses | null | undefined {
  return 'responseCallback' in params
    ? checked(params.responseCallback, 'params.responseCallback')
    : defaultCallback;
}

/** The `expected` rule of a request: its own responseCallback param, else the default. */
export function expectedRule(params: Record<string, unknown>): RequestOptions['expected'] {
  const cb = callbackOf(params);
  if (cb === undefined) return undefined;
  if (cb === null) return () => true;
  return (status) => cb.has(status);
}
