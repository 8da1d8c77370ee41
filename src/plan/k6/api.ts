/**
 * The `k6` namespace of loadproof's public API: what plans written by `loadproof convert
 * script.js` use where k6's API has no word-for-word equivalent in loadproof's `vu` API
 * (`res.json(selector)`, k6's request params, array callbacks that await, setup() requests).
 * Everything else in a converted plan is loadproof's own API.
 */
import { fileURLToPath } from 'node:url';
import { parseDurationMs } from '../duration.ts';
import { readInputFile } from '../input-file.ts';
import type { BatchRequest, HttpResponse, RequestOptions, SetupContext, Vu, VuHttp } from '../types.ts';
import { arrayBufferOf } from './bytes.ts';
import { formBody } from './form-body.ts';
import { requestParams } from './k6-api.ts';
import { errorCodeOf, select } from './response.ts';
import { ExpectedStatuses, expectedRule, setResponseCallback as setDefault } from './response-callback.ts';
import { standaloneHttp } from './standalone-http.ts';

export * as crypto from './modules/crypto.ts';
export * as encoding from './modules/encoding.ts';

/**
 * k6/data's `new SharedArray(name, build)`: the list `build` returns, frozen, built once per
 * worker thread (a plan's module code runs once per thread) and shared by its VUs.
 */
export const SharedArray = function SharedArray(name: string, build: () => unknown[]) {
  if (typeof name !== 'string' || name === '') throw new Error('SharedArray: a SharedArray needs a name');
  const list = build();
  if (!Array.isArray(list)) throw new Error(`SharedArray "${name}": the function must return an array`);
  return Object.freeze(list);
} as unknown as new (
  name: string,
  build: () => unknown[],
) => readonly any[];

/** k6's `res.json()` and `res.json('items.0.id')`: the body parsed as JSON, or one value of it. */
export function json(res: Pick<HttpResponse, 'text'>, selector?: string): any {
  const value = JSON.parse(res.text);
  return selector === undefined ? value : select(value, selector);
}

/** k6's `res.error_code`: 1212 refused, 1050 timeout, 1000 + status for 4xx and 5xx, ... */
export function errorCode(res: Pick<HttpResponse, 'error' | 'status'>): number {
  return errorCodeOf(res.error, res.status);
}

/**
 * k6's `res.timings`: `duration` from the intended start, `blocked`, `waiting` and `receiving`;
 * `connecting` and `tls_handshaking` for the request that opened a new connection (taken out of
 * `blocked`, as k6 times them apart); `sending` is not timed (0).
 */
export function timings(res: Pick<HttpResponse, 'latencyMs' | 'phases'>) {
  const connecting = res.phases?.connecting ?? 0;
  const tlsHandshaking = res.phases?.tlsHandshaking ?? 0;
  return {
    duration: res.latencyMs,
    blocked: Math.max(0, (res.phases?.blocked ?? 0) - connecting - tlsHandshaking),
    waiting: res.phases?.waiting ?? 0,
    receiving: res.phases?.receiving ?? 0,
    sending: 0,
    connecting,
    tls_handshaking: tlsHandshaking,
  };
}

/**
 * `list.method(fn)` (forEach, map, filter, some, every, find, reduce, ...) with a callback that
 * awaits, run one element after another as k6 runs it: `await k6.inOrder(ids, 'forEach', fn)`.
 */
export async function inOrder(
  list: unknown,
  method: string,
  fn: (...args: any[]) => unknown,
  ...rest: unknown[]
): Promise<any> {
  // Imported when used: the k6 runtime module also defines k6's globals for scripts run as they are.
  const { sequential } = await import('./runtime.ts');
  return sequential(list, method, fn, ...rest);
}

/** k6's `fail(message)`: ends the iteration with an error. */
export function fail(message?: unknown): never {
  throw new Error(message === undefined ? 'fail() called' : String(message));
}

/** k6's `http.expectedStatuses(200, { min: 400, max: 404 })`, for `responseCallback` in `k6.params`. */
export function expectedStatuses(...statuses: (number | { min: number; max: number })[]) {
  return new ExpectedStatuses(statuses);
}

/**
 * k6's `http.setResponseCallback(k6.expectedStatuses(...))`: the statuses this thread's requests
 * expect when their params say nothing (the converted plan sends every request through
 * `k6.params`, which applies it). Call it in the plan's module code, as k6 scripts call it in
 * init code.
 */
export function setResponseCallback(callback: ExpectedStatuses | null): void {
  setDefault(callback);
}

/** Params of k6/http that loadproof's requests take under another name or unit (k6-api.ts). */
const PARAMS = requestParams('written', 'k6.params');

/**
 * k6's request params (and body) as loadproof's request options: `tags.name` becomes `name`, a
 * timeout in milliseconds a duration, `cookies` values, `responseCallback` the `expected` rule;
 * an object body is sent as a form, as k6 sends it. Params loadproof has no equivalent for
 * (`auth`, `jar`, `responseType`, ...) are an error naming them.
 */
export function params(p?: Record<string, any> | null, body?: unknown): RequestOptions {
  const out: RequestOptions = {};
  const expected = expectedRule(p ?? {});
  if (expected) out.expected = expected;
  if (p !== undefined && p !== null) {
    const unknown = Object.keys(p).filter((k) => !PARAMS.has(k));
    if (unknown.length)
      throw new TypeError(
        `k6.params: ${unknown.join(', ')} ${unknown.length > 1 ? 'have' : 'has'} no loadproof equivalent`,
      );
    if (p.headers) out.headers = { ...p.headers };
    if (p.tags) {
      const { name, ...tags } = p.tags as Record<string, string>;
      if (name !== undefined) out.name = String(name);
      if (Object.keys(tags).length) out.tags = tags;
    }
    if (p.timeout !== undefined) out.timeout = typeof p.timeout === 'number' ? `${p.timeout}ms` : p.timeout;
    if (p.redirects !== undefined) out.redirects = p.redirects;
    if (p.cookies)
      out.cookies = Object.fromEntries(
        Object.entries(p.cookies as Record<string, unknown>).map(([k, v]) => [
          k,
          String(v !== null && typeof v === 'object' ? (v as { value: unknown }).value : v),
        ]),
      );
  }
  if (body === undefined || body === null) return out;
  if (typeof body === 'string' || body instanceof Uint8Array) out.body = body;
  else if (body instanceof ArrayBuffer) out.body = new Uint8Array(body);
  else if (typeof body === 'object') {
    out.body = formBody(body as Record<string, unknown>);
    if (!Object.keys(out.headers ?? {}).some((h) => h.toLowerCase() === 'content-type'))
      out.headers = { ...out.headers, 'content-type': 'application/x-www-form-urlencoded' };
  } else out.body = String(body);
  return out;
}

/**
 * k6's `check(value, { name: predicate, ... }, tags)` where the value or the set is not written
 * out: every check recorded with `vu.check`, true when all pass.
 */
export function check(
  vu: Vu,
  value: unknown,
  sets: Record<string, unknown>,
  tags?: Record<string, string>,
): boolean {
  let all = true;
  for (const [name, p] of Object.entries(sets)) {
    const ok =
      typeof p === 'function'
        ? vu.check(name, value, p as (v: unknown) => unknown, tags ?? {})
        : vu.check(name, p, undefined, tags ?? {});
    all &&= ok;
  }
  return all;
}

type K6BatchItem =
  | string
  | readonly unknown[]
  | { method?: string; url: string; body?: unknown; params?: any };

function batchRequest(item: K6BatchItem): BatchRequest {
  if (typeof item === 'string') return ['GET', item];
  if (Array.isArray(item)) {
    const [method, url, body, p] = item as [string, string, unknown, any];
    return { method, url, ...params(p, body) };
  }
  const o = item as Exclude<K6BatchItem, string | readonly unknown[]>;
  return {
    method: o.method ?? 'GET',
    url: o.url,
    ...params(o.params, o.body),
  };
}

/** k6's `http.batch(requests)`: a list, or an object of named requests, answered in the same shape. */
export async function batch(
  http: VuHttp,
  requests: readonly K6BatchItem[] | Record<string, K6BatchItem>,
): Promise<any> {
  if (Array.isArray(requests)) return http.batch(requests.map(batchRequest));
  const named = requests as Record<string, K6BatchItem>;
  const keys = Object.keys(named);
  const answers = await http.batch(keys.map((k) => batchRequest(named[k] as K6BatchItem)));
  return Object.fromEntries(keys.map((k, i) => [k, answers[i] as HttpResponse]));
}

const setupCopies = new WeakMap<Vu, unknown>();

/** What setup() returned, as this VU's own copy: k6 gives each VU its own copy of setup()'s data. */
export function setupData(vu: Vu): any {
  if (vu.setup === undefined) return undefined;
  if (!setupCopies.has(vu)) setupCopies.set(vu, structuredClone(vu.setup));
  return setupCopies.get(vu);
}

/** The VU with a scenario's `env` over its own, as k6 gives a scenario's `env` to its VUs. */
export function withEnv(vu: Vu, env: Record<string, string>): Vu {
  return Object.create(vu, { env: { value: { ...vu.env, ...env }, enumerable: true } });
}

/** k6's `open(path, 'b')`, relative to the k6 script the plan was converted from. */
export function opener(scriptUrl: URL) {
  return (path: string, mode?: 'b'): any => {
    const bytes = readInputFile(fileURLToPath(new URL(String(path), scriptUrl)), 'open()');
    return mode === 'b' ? arrayBufferOf(bytes) : bytes.toString('utf8');
  };
}

/**
 * What setup() and teardown() of a converted script are given for a VU: they run once, with no
 * VU (as in k6), so their requests go through Node's fetch and are not measured, their checks
 * only answer, and their metrics are not recorded.
 */
export function lifecycleVu(ctx: SetupContext): Vu {
  const absolute = (url: string) => (url.startsWith('/') ? new URL(url, ctx.target).href : url);
  const send = (method: string, url: string, options?: RequestOptions) =>
    standaloneHttp.request(method, absolute(url), options);
  const http = {
    get: (url: string, o?: RequestOptions) => send('GET', url, o),
    delete: (url: string, o?: RequestOptions) => send('DELETE', url, o),
    head: (url: string, o?: RequestOptions) => send('HEAD', url, o),
    post: (url: string, o?: RequestOptions) => send('POST', url, o),
    put: (url: string, o?: RequestOptions) => send('PUT', url, o),
    patch: (url: string, o?: RequestOptions) => send('PATCH', url, o),
    request: (method: string, url: string, o?: RequestOptions) => send(method.toUpperCase(), url, o),
    batch: (requests: readonly BatchRequest[]) =>
      Promise.all(
        requests.map((r) =>
          Array.isArray(r)
            ? send(String(r[0]).toUpperCase(), r[1] as string, r[2] as RequestOptions | undefined)
            : send(
                (r as { method: string }).method.toUpperCase(),
                (r as { url: string }).url,
                r as RequestOptions,
              ),
        ),
      ),
    get cookies(): VuHttp['cookies'] {
      throw new Error('setup() and teardown() have no cookie jar');
    },
  } as VuHttp;
  const noMetric = () => {};
  return {
    id: 0,
    iteration: 0,
    scenarioIteration: 0,
    scenario: '',
    vars: {},
    data: {},
    setup: undefined,
    instance: { vusInitialized: 0, vusActive: 0, iterationsCompleted: 0, iterationsInterrupted: 0 },
    env: ctx.env,
    http,
    metrics: { counter: noMetric, rate: noMetric, trend: noMetric, gauge: noMetric },
    signal: new AbortController().signal,
    sleep: (d) => new Promise((ok) => setTimeout(ok, parseDurationMs(d) ?? 0)),
    group: async (_name, fn) => fn(),
    check: (_name: string, value: unknown, predicate?: (v: unknown) => unknown) => {
      try {
        return Boolean(
          typeof predicate === 'function' ? predicate(value) : typeof value === 'function' ? value() : value,
        );
      } catch {
        return false;
      }
    },
  } as Vu;
}

/**
 * A name the converted plan could not translate (see its TODO comment): any use of it fails
 * with that reason, so nothing is silently left out.
 */
export function unsupported(what: string): any {
  const fail = () => {
    throw new Error(`${what} was not converted by loadproof convert (see the TODO in the plan)`);
  };
  return new Proxy(function unconverted() {}, {
    get: fail,
    apply: fail,
    construct: fail,
  });
}
