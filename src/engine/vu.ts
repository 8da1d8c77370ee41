/**
 * A virtual user: the `vu` object a flow receives, and the recording of what its requests did.
 * Latency is taken from the intended start: the first request of an iteration that started
 * late (queued, no free VU) carries the delay; the uncorrected service time is kept beside it.
 */
import { type Histogram, recordMs } from '../metrics/histogram.ts';
import { endpointKey, scenarioKey } from '../metrics/keys.ts';
import { FOLDED_NAME, foldWarning, type SeriesLimit } from '../metrics/series-limit.ts';
import type { MetricStore } from '../metrics/store.ts';
import { parseDurationMs } from '../plan/duration.ts';
import type {
  BatchRequest,
  HttpPhases,
  HttpResponse,
  HttpTlsInfo,
  InstanceCounts,
  RequestOptions,
  Vu,
  VuCookies,
  VuHttp,
  VuMetrics,
} from '../plan/types.ts';
import type { Clock } from './clock.ts';
import { CookieJar, type CookieTarget, setCookieValues } from './cookie-jar.ts';
import type { HttpClient, RawResponse, RequestScope } from './http-client.ts';
import type { InFlightRequests } from './in-flight.ts';
import { hopHeaders, locationOf, nextHop, redirectLimit, redirectRuleOf } from './redirects.ts';
import type { Submetrics, Tags } from './sample-tags.ts';
import { jarBehind, vuCookies } from './vu-cookies.ts';

export interface VuEnvironment {
  clock: Clock;
  /** Clock time of the run's start (when a filtered series was active is kept relative to it). */
  runStart: number;
  client: HttpClient;
  store: MetricStore;
  submetrics: Submetrics;
  target: URL;
  defaultHeaders: Record<string, string>;
  timeoutMs: number;
  /** Redirects a request follows unless it says otherwise. */
  redirects: number;
  /** Requests without a name are named by their full URL (k6's way), not their path. */
  namesByUrl: boolean;
  data: Record<string, readonly unknown[]>;
  setup: unknown;
  env: Record<string, string | undefined>;
  /** Per-second accumulator: every finished request is also reported here. */
  onRequest(latencyMs: number, status: number, error: string | undefined): void;
  /** Aborts when the run stops hard; requests in flight then end with ABORTED (and are counted). */
  hardStop: AbortSignal;
  /** Series per endpoint of the scenario, filled on first use. */
  endpoints: Map<string, EndpointSeries>;
  /** Which names get a series of their own; the rest share one per method. */
  seriesLimit: SeriesLimit;
  /** The run's log (stderr unless quiet). */
  log(message: string): void;
  /** The scenario's requests in flight, aborted together on a hard stop. */
  scope: RequestScope;
  /** Base URL as a string ending in '/', for the fast path of relative URLs. */
  origin: string;
  /** Called when a VU's flow runs again after waiting (a response, a sleep): where a stuck thread was. */
  resumed(scenarioIteration: number): void;
  /** What this process has run so far, over all its threads. */
  instance: InstanceCounts;
  /** This thread's requests sent and not yet recorded, read by the main thread if it must terminate it. */
  inFlight: InFlightRequests;
}

/** The series one endpoint's requests land in, looked up once, not per request. */
interface EndpointSeries {
  keys: string[];
  duration: Histogram[];
  service: Histogram[];
  waiting: Histogram[];
}

const DEFAULT_EXPECTED = (s: number) => s >= 200 && s < 400;

function isJson(contentType: string | undefined): boolean {
  return !!contentType && /[/+]json\b/i.test(contentType);
}

function headersOf(raw: Buffer[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = (raw[i] as Buffer).toString('latin1').toLowerCase();
    const v = (raw[i + 1] as Buffer).toString('latin1');
    out[k] = out[k] === undefined ? v : `${out[k]}, ${v}`;
  }
  return out;
}

/** The jar of `RequestOptions.jar`: one `newCookieJar()` made. */
function jarOf(view: VuCookies): CookieJar {
  const jar = jarBehind(view);
  if (jar === undefined)
    throw new TypeError('RequestOptions.jar: expected false or a jar from vu.http.newCookieJar()');
  return jar;
}

/** The Cookie header of a request: one set by hand, then the jar's and the request's own cookies. */
function cookieHeader(
  byHand: string | undefined,
  own: Record<string, string> | undefined,
  jar: CookieJar | undefined,
  target: CookieTarget,
): string | undefined {
  let fromJar: string | undefined;
  if (own === undefined) fromJar = jar?.header(target);
  else {
    const values = jar ? { ...jar.values(target), ...own } : own;
    const list = Object.entries(values).map(([k, v]) => `${k}=${v}`);
    fromJar = list.length ? list.join('; ') : undefined;
  }
  if (fromJar === undefined) return byHand;
  return byHand === undefined ? fromJar : `${byHand}; ${fromJar}`;
}

class Response implements HttpResponse {
  private parsedHeaders?: Record<string, string>;
  private parsedBody?: { value: unknown };
  private parsedText?: string;

  constructor(
    private readonly raw: RawResponse,
    readonly ok: boolean,
    readonly latencyMs: number,
    private readonly origin: string,
    private readonly path: string,
  ) {}

  get url(): string {
    return this.origin + this.path;
  }
  get proto(): string {
    return this.raw.proto ?? 'HTTP/1.1';
  }
  get status(): number {
    return this.raw.status;
  }
  get error(): string | undefined {
    return this.raw.error;
  }
  get headers(): Record<string, string> {
    this.parsedHeaders ??= headersOf(this.raw.rawHeaders);
    return this.parsedHeaders;
  }
  get setCookies(): readonly string[] {
    return setCookieValues(this.raw.rawHeaders) ?? [];
  }
  get remoteAddress(): string | undefined {
    return this.raw.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.raw.remotePort;
  }
  get phases(): HttpPhases {
    const { dispatchedAt, firstByteAt, endAt, error } = this.raw;
    const service = error ? 0 : endAt - dispatchedAt;
    return {
      blocked: Math.max(0, this.latencyMs - service),
      waiting: error ? 0 : Math.max(0, firstByteAt - dispatchedAt),
      receiving: error ? 0 : Math.max(0, endAt - firstByteAt),
      connecting: this.raw.connectingMs ?? 0,
      tlsHandshaking: this.raw.tlsHandshakingMs ?? 0,
    };
  }
  get tls(): HttpTlsInfo | undefined {
    return this.raw.tls;
  }
  get text(): string {
    this.parsedText ??= this.raw.body.toString('utf8');
    return this.parsedText;
  }
  get body(): any {
    if (!this.parsedBody) {
      const text = this.text;
      let value: unknown = text;
      if (text && isJson(this.headers['content-type'])) {
        try {
          value = JSON.parse(text);
        } catch {}
      }
      this.parsedBody = { value };
    }
    return this.parsedBody.value;
  }
  toJSON() {
    return {
      status: this.status,
      url: this.url,
      proto: this.proto,
      headers: this.headers,
      body: this.body,
      ok: this.ok,
      error: this.error,
    };
  }
}

export class VirtualUser {
  readonly vars: Record<string, unknown> = {};
  /** This VU's own iterations so far (0 during its first). */
  iteration = -1;
  /** The iteration's number in its scenario, unique over VUs and threads. */
  scenarioIteration = -1;
  scenario = '';
  flowName = '';
  scenarioTags: Record<string, string> = {};
  /** The groups the flow is in now, k6's way: `::outer::inner`; '' outside any. */
  private groupPath = '';
  /** Intended start for the next request, set when an iteration starts; cleared by that request. */
  private pendingIntendedAt: number | undefined;
  private lastSeries: { scenario: string; method: string; name: string; s: EndpointSeries } | undefined;
  /** Cookies the VU's responses set, emptied when an iteration starts. */
  private readonly jar = new CookieJar();
  readonly api: Vu;

  constructor(
    readonly id: number,
    private readonly env: VuEnvironment,
  ) {
    const http = {} as VuHttp;
    for (const m of ['get', 'delete', 'head', 'post', 'put', 'patch'] as const) {
      (http as any)[m] = (url: string, options?: RequestOptions) =>
        this.request(m.toUpperCase(), url, options);
    }
    http.request = (method: string, url: string, options?: RequestOptions) =>
      this.request(method.toUpperCase(), url, options);
    http.batch = (requests) => this.batch(requests);
    (http as { cookies: VuHttp['cookies'] }).cookies = vuCookies(this.jar, (url) => this.absolute(url));
    http.newCookieJar = () => vuCookies(new CookieJar(), (url) => this.absolute(url));
    const metricKeys = (name: string, tags?: Record<string, string>) =>
      this.env.submetrics.keys(name, this.scenario, () => ({
        ...this.scenarioTags,
        flow: this.flowName,
        scenario: this.scenario,
        ...tags,
      }));
    const metrics: VuMetrics = {
      counter: (name, value = 1, tags) => env.store.addCounter(name, metricKeys(name, tags), value),
      rate: (name, ok, tags) => env.store.addRate(name, metricKeys(name, tags), !!ok),
      trend: (name, value, tags) => env.store.addTrend(name, metricKeys(name, tags), value),
      gauge: (name, value, tags) => env.store.setGauge(name, metricKeys(name, tags), value),
    };
    const self = this;
    this.api = {
      id,
      get iteration() {
        return self.iteration;
      },
      get scenarioIteration() {
        return self.scenarioIteration;
      },
      get scenario() {
        return self.scenario;
      },
      vars: this.vars,
      data: env.data as Vu['data'],
      setup: env.setup,
      instance: env.instance,
      env: env.env,
      http,
      metrics,
      signal: env.hardStop,
      sleep: (d) => this.sleep(d),
      group: (name, fn) => this.group(name, fn),
      check: (name: string, value: unknown, fn?: (v: unknown) => unknown, tags?: Record<string, string>) =>
        this.check(name, value, fn, tags),
    };
  }

  /** Called by the executor before each iteration. */
  begin(
    scenario: string,
    scenarioTags: Record<string, string>,
    scenarioIteration: number,
    flow: string,
    intendedAt: number,
  ) {
    if (this.scenario !== scenario) this.iteration = -1;
    this.scenario = scenario;
    this.scenarioTags = scenarioTags;
    this.iteration++;
    this.scenarioIteration = scenarioIteration;
    this.flowName = flow;
    this.pendingIntendedAt = intendedAt;
    this.groupPath = '';
    if (this.jar.size > 0) this.jar.clear();
  }

  /** A URL as a request resolves it: a path is on the target (under its path), anything else as is. */
  private absolute(url: string): URL {
    const target = this.env.target;
    if (url.charCodeAt(0) === 47 && url.charCodeAt(1) !== 47) return new URL(url.slice(1), target);
    return new URL(url, target);
  }

  private async group<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    if (typeof name !== 'string' || name === '' || name.includes('::'))
      throw new TypeError(`vu.group: a name is a non-empty string without "::", got ${JSON.stringify(name)}`);
    if (typeof fn !== 'function') throw new TypeError(`vu.group("${name}"): expected a function`);
    const parent = this.groupPath;
    const path = `${parent}::${name}`;
    this.groupPath = path;
    const started = this.env.clock.now();
    try {
      return await fn();
    } finally {
      const keys = this.env.submetrics.keys('group_duration', this.scenario, () => ({
        ...this.scenarioTags,
        scenario: this.scenario,
        flow: this.flowName,
        group: path,
      }));
      keys.push(`group=${path}`);
      this.env.store.addTrend('group_duration', keys, this.env.clock.now() - started);
      this.groupPath = parent;
    }
  }

  /** Parallel requests of one iteration, all measured from one intended start. */
  private batch(requests: readonly BatchRequest[]): Promise<HttpResponse[]> {
    if (!Array.isArray(requests))
      throw new TypeError(
        'vu.http.batch: expected a list of [method, url, options?] or { method, url, ... }',
      );
    const intendedAt = this.pendingIntendedAt ?? this.env.clock.now();
    this.pendingIntendedAt = undefined;
    return Promise.all(
      requests.map((r, i) => {
        const [method, url, options] = Array.isArray(r)
          ? (r as unknown as readonly [string, string, RequestOptions?])
          : [(r as { method: string }).method, (r as { url: string }).url, r as RequestOptions];
        if (typeof method !== 'string' || typeof url !== 'string')
          throw new TypeError(`vu.http.batch: request ${i} needs a method and a url`);
        return this.request(method.toUpperCase(), url, options, intendedAt);
      }),
    );
  }

  private async sleep(d: string | number): Promise<void> {
    const ms = parseDurationMs(d);
    if (ms === undefined) throw new TypeError(`vu.sleep: not a duration: ${JSON.stringify(d)}`);
    this.pendingIntendedAt = undefined;
    const clock = this.env.clock;
    await clock.sleepUntil(clock.now() + ms, this.env.hardStop);
    this.env.resumed(this.scenarioIteration);
  }

  private check(
    name: string,
    value: unknown,
    fn?: (v: unknown) => unknown,
    tags?: Record<string, string>,
  ): boolean {
    let ok: boolean;
    try {
      if (fn) ok = !!fn(value);
      else if (typeof value === 'function') ok = !!value();
      else ok = !!value;
    } catch {
      ok = false;
    }
    const keys = this.env.submetrics.keys('checks', this.scenario, () => ({
      ...tags,
      scenario: this.scenario,
      check: name,
      group: this.groupPath,
    }));
    keys.push(`check=${name}`);
    this.env.store.addRate('checks', keys, ok);
    return ok;
  }

  async request(
    method: string,
    url: string,
    options: RequestOptions = {},
    batchIntendedAt?: number,
  ): Promise<HttpResponse> {
    const env = this.env;
    const now = env.clock.now();
    let intendedAt = batchIntendedAt ?? this.pendingIntendedAt ?? now;
    this.pendingIntendedAt = undefined;

    let origin: string;
    let pathname: string;
    let path: string;
    let hostname: string;
    let secure: boolean;
    if (
      url.charCodeAt(0) === 47 /* / */ &&
      url.charCodeAt(1) !== 47 &&
      !options.query &&
      !url.includes('#')
    ) {
      // Fast path: a path on the target.
      origin = env.origin;
      hostname = env.target.hostname;
      secure = env.target.protocol === 'https:';
      path = env.target.pathname === '/' ? url : `${env.target.pathname.replace(/\/$/, '')}${url}`;
      const q = path.indexOf('?');
      pathname = q < 0 ? path : path.slice(0, q);
    } else {
      const u = this.absolute(url);
      if (options.query) {
        for (const [k, v] of Object.entries(options.query))
          if (v !== undefined) u.searchParams.set(k, String(v));
      }
      origin = u.origin;
      hostname = u.hostname;
      secure = u.protocol === 'https:';
      pathname = u.pathname;
      path = u.pathname + u.search;
    }
    let headers: Record<string, string> = { ...env.defaultHeaders };
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    if (options.headers) for (const [k, v] of Object.entries(options.headers)) headers[k.toLowerCase()] = v;
    const timeoutMs =
      options.timeout === undefined ? env.timeoutMs : (parseDurationMs(options.timeout) ?? env.timeoutMs);
    const jar = options.jar === undefined ? this.jar : options.jar === false ? undefined : jarOf(options.jar);
    const redirects = options.redirects === undefined ? env.redirects : redirectLimit(options.redirects);
    const rule = redirectRuleOf(options.redirectRule);
    const byUrl = env.namesByUrl;
    // By URL, the first request is named as the flow wrote it (k6's `name` tag); hops as resolved.
    let name = options.name ?? (byUrl ? (/^https?:\/\//i.test(url) ? url : origin + path) : pathname);

    const issuedAfterStop = env.hardStop.aborted;
    // The request's own cookies, like its credentials, stay with its origin; by a rule whose
    // cookies stay home, no cookie at all goes with a hop once one has left it.
    const ownOrigin = origin;
    let leftOrigin = false;
    // Each redirect followed is a request of its own: sent, measured and recorded under its path.
    for (let hop = 0; ; hop++) {
      // The jar is looked at only when it holds cookies: the common request allocates nothing for it.
      const noCookies = leftOrigin && rule.cookiesStayHome;
      const jarInUse = jar !== undefined && jar.size > 0 && !noCookies;
      const own = origin === ownOrigin && !noCookies ? options.cookies : undefined;
      const cookie =
        jarInUse || own !== undefined
          ? cookieHeader(headers.cookie, own, jarInUse ? jar : undefined, { hostname, pathname, secure })
          : headers.cookie;
      // Counted from here until it is recorded (synchronously after it settles); one issued after
      // the stop is never recorded, so never counted.
      if (!issuedAfterStop) env.inFlight.sent();
      let raw: RawResponse;
      try {
        raw = await env.client.send({
          origin,
          method,
          path,
          headers: cookie === headers.cookie ? headers : { ...headers, cookie: cookie as string },
          ...(body !== undefined ? { body } : {}),
          timeoutMs,
          scope: env.scope,
          ...(options.discardBody === true ? { discardBody: true } : {}),
        });
      } finally {
        if (!issuedAfterStop) env.inFlight.settled();
      }
      env.resumed(this.scenarioIteration);
      const latencyMs = raw.endAt - intendedAt;
      const expect = options.expect;
      const ok =
        raw.status !== 0 &&
        (options.expected
          ? options.expected(raw.status)
          : DEFAULT_EXPECTED(raw.status) || (expect?.includes(raw.status) ?? false));
      const response = new Response(raw, ok, latencyMs, origin, path);
      if (jar !== undefined && raw.status !== 0) {
        const set = setCookieValues(raw.rawHeaders);
        if (set) jar.receive({ hostname, pathname, secure }, set);
      }
      // A request cut off by the run's stop was still sent: it counts, as ABORTED. One a flow
      // makes after the stop never left and is not counted.
      if (issuedAfterStop) return response;
      this.record(method, name, raw, ok, latencyMs, options.tags);
      if (hop >= redirects || raw.status < 300 || raw.status > 399 || env.hardStop.aborted) return response;
      const next = nextHop(raw.status, locationOf(raw.rawHeaders), method, new URL(path, origin), rule);
      if (next === undefined) return response;
      const u = next.url;
      if (u.origin !== ownOrigin) leftOrigin = true;
      headers = hopHeaders(headers, next, u.origin === origin);
      if (!next.keepBody) body = undefined;
      method = next.method;
      origin = u.origin;
      hostname = u.hostname;
      secure = u.protocol === 'https:';
      pathname = u.pathname;
      path = u.pathname + u.search;
      if (!byUrl) name = pathname;
      else if (options.name === undefined) name = origin + path;
      intendedAt = env.clock.now();
    }
  }

  private series(method: string, name: string): EndpointSeries {
    // A VU mostly repeats its requests: the last series is kept, not looked up again.
    const last = this.lastSeries;
    if (last && last.name === name && last.method === method && last.scenario === this.scenario)
      return last.s;
    const s = this.lookupSeries(method, name);
    this.lastSeries = { scenario: this.scenario, method, name, s };
    return s;
  }

  private lookupSeries(method: string, name: string): EndpointSeries {
    const env = this.env;
    const cacheKey = `${this.scenario}\u0000${method} ${name}`;
    const known = env.endpoints.get(cacheKey);
    if (known) return known;
    if (env.seriesLimit.admit(cacheKey)) return this.newSeries(cacheKey, method, name);
    // Past the limit: not cached either, so that memory stays bounded whatever the names.
    if (env.seriesLimit.firstFold()) env.log(foldWarning(env.seriesLimit.limit, this.scenario, method, name));
    const foldedKey = `${this.scenario}\u0000${method}\u0000${FOLDED_NAME}`;
    return env.endpoints.get(foldedKey) ?? this.newSeries(foldedKey, method, FOLDED_NAME);
  }

  private newSeries(cacheKey: string, method: string, name: string): EndpointSeries {
    const store = this.env.store;
    const keys = ['', scenarioKey(this.scenario), endpointKey(this.scenario, method, name)];
    const s: EndpointSeries = {
      keys,
      duration: keys.map((k) => store.trend('http_req_duration', k)),
      service: keys.map((k) => store.trend('http_req_service_duration', k)),
      waiting: keys.map((k) => store.trend('http_req_waiting', k)),
    };
    this.env.endpoints.set(cacheKey, s);
    return s;
  }

  private record(
    method: string,
    name: string,
    raw: RawResponse,
    ok: boolean,
    latencyMs: number,
    tags?: Record<string, string>,
  ) {
    const { store, submetrics } = this.env;
    const s = this.series(method, name);
    const keys = s.keys;
    store.addCounter('http_reqs', keys, 1);
    store.addRate('http_req_failed', keys, !ok);
    store.addCounter('data_received', keys, raw.bytesIn);
    store.addCounter('data_sent', keys, raw.bytesOut);
    for (const h of s.duration) recordMs(h, latencyMs);
    if (raw.error) store.addError(keys, raw.error);
    else {
      store.addStatus(keys, String(raw.status));
      const service = raw.endAt - raw.dispatchedAt;
      const waiting = raw.firstByteAt - raw.dispatchedAt;
      for (const h of s.service) recordMs(h, service);
      for (const h of s.waiting) recordMs(h, waiting);
    }
    if (submetrics.any) {
      // Threshold tag filters: the same sample, once more in every matching series.
      const t: Tags = {
        ...this.scenarioTags,
        ...tags,
        scenario: this.scenario,
        name,
        method,
        flow: this.flowName,
        group: this.groupPath,
        status: String(raw.status),
        expected_response: String(ok),
        error_code: raw.error,
        proto: raw.proto ?? 'HTTP/1.1',
        tls_version: raw.tls?.version,
      };
      const extra = (metric: string) => submetrics.matching(metric, t);
      const filtered = extra('http_reqs');
      store.addCounter('http_reqs', filtered, 1);
      // When each filtered series first and last had a request: its rps is taken over that time.
      if (filtered.length)
        store.setGauge('series_active_ms', filtered, this.env.clock.now() - this.env.runStart);
      store.addRate('http_req_failed', extra('http_req_failed'), !ok);
      store.addTrend('http_req_duration', extra('http_req_duration'), latencyMs);
      store.addCounter('data_received', extra('data_received'), raw.bytesIn);
      store.addCounter('data_sent', extra('data_sent'), raw.bytesOut);
      if (raw.error) store.addError(extra('http_reqs'), raw.error);
      else {
        store.addStatus(extra('http_reqs'), String(raw.status));
        store.addTrend(
          'http_req_service_duration',
          extra('http_req_service_duration'),
          raw.endAt - raw.dispatchedAt,
        );
        store.addTrend('http_req_waiting', extra('http_req_waiting'), raw.firstByteAt - raw.dispatchedAt);
      }
    }
    this.env.onRequest(latencyMs, raw.status, raw.error);
  }
}
