/**
 * `k6/experimental/tracing` as k6 v0.47 has it: `instrumentHTTP(options)` (init code) makes every
 * k6/http request carry a trace context header; `new Client(options)` is an HTTP client whose
 * requests carry it while k6/http's own do not. Options: `propagator` `w3c` (`traceparent:
 * 00-<trace>-<span>-<01|00>`) or `jaeger` (`uber-trace-id: <trace>:<span>:0:<1|0>`), `sampling`
 * (0 to 1, default 1: the share of requests whose header says "sampled"); `baggage` is refused,
 * as k6 v0.47 refuses it. Each request gets a trace id of its own, shaped as k6's (k6's prefix,
 * the "local run" code and the time, then random bytes: 16 bytes in hex), so a backend sees the
 * same kind of id. k6 also puts the id in the request's sample metadata (`trace_id`); loadproof's
 * samples have no metadata: the id is in the request's headers (`res.request.headers`).
 */
import { current, state } from '../context.ts';
import { tracingOptions as optionsOf, type TracingOptions, traceHeader } from '../trace-context.ts';
import * as http from './http.ts';

/** From now on every k6/http request of this thread carries the header (k6: in init code only). */
export function instrumentHTTP(options: unknown): void {
  if (current()?.vu) throw new Error('tracing.instrumentHTTP() must be called in init code');
  const o = optionsOf('tracing.instrumentHTTP', options);
  state.requestHeaders = () => Object.fromEntries([traceHeader(o)]);
}

type Params = Record<string, unknown> | null | undefined;

/** Params with the trace header added to the script's own headers (a copy: the script's object is left as it was). */
function traced(o: TracingOptions, params: Params): Record<string, unknown> {
  const [name, value] = traceHeader(o);
  const p = params ?? {};
  return { ...p, headers: { ...((p.headers as Record<string, unknown>) ?? {}), [name]: value } };
}

/** An HTTP client of the script's own whose requests carry the trace header. */
export class Client {
  private o: TracingOptions;
  constructor(options: unknown) {
    this.o = optionsOf('new tracing.Client', options);
  }
  /** Changes the client's options. */
  configure(options: unknown): void {
    this.o = optionsOf('tracing.Client.configure', options);
  }
  request(method: string, url: string, body?: unknown, params?: Params) {
    return http.request(method, url, body as string, traced(this.o, params));
  }
  get(url: string, params?: Params) {
    return http.get(url, traced(this.o, params));
  }
  head(url: string, params?: Params) {
    return http.head(url, traced(this.o, params));
  }
  post(url: string, body?: unknown, params?: Params) {
    return http.post(url, body as string, traced(this.o, params));
  }
  put(url: string, body?: unknown, params?: Params) {
    return http.put(url, body as string, traced(this.o, params));
  }
  patch(url: string, body?: unknown, params?: Params) {
    return http.patch(url, body as string, traced(this.o, params));
  }
  del(url: string, body?: unknown, params?: Params) {
    return http.del(url, body as string, traced(this.o, params));
  }
  options(url: string, body?: unknown, params?: Params) {
    return http.options(url, body as string, traced(this.o, params));
  }
}

export default { instrumentHTTP, Client };
