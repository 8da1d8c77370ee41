/**
 * The plan: what a user writes (`PlanInput`, through `definePlan`) and the validated,
 * normalized form the engine runs (`Plan`). Durations in the normalized form are milliseconds.
 */
import type {
  ConstantArrivalRateConfig,
  ConstantArrivalRateKeys,
} from '../executors/constant-arrival-rate/config.ts';
import type { ConstantVusConfig, ConstantVusKeys } from '../executors/constant-vus/config.ts';
import type { PerVuIterationsConfig, PerVuIterationsKeys } from '../executors/per-vu-iterations/config.ts';
import type {
  RampingArrivalRateConfig,
  RampingArrivalRateKeys,
} from '../executors/ramping-arrival-rate/config.ts';
import type { RampingVusConfig, RampingVusKeys } from '../executors/ramping-vus/config.ts';
import type { SharedIterationsConfig, SharedIterationsKeys } from '../executors/shared-iterations/config.ts';
import type { ResultsFile } from '../results/types.ts';
import type { Duration } from './duration.ts';

// ---------------------------------------------------------------- flows (what a VU sees)

export interface RequestOptions {
  /** JSON body; sets content-type: application/json. */
  json?: unknown;
  /** Raw body. */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  /** Statuses that are expected outcomes (not failures), e.g. [409] under contention. 2xx/3xx by default. */
  expect?: number[];
  /**
   * Decides alone which statuses are expected (2xx/3xx and `expect` no longer count), as k6's
   * `responseCallback` does. A request without a response is never expected.
   */
  expected?: (status: number) => boolean;
  /** Name that groups templated URLs in metrics, e.g. `/api/authorizations/:id/reserve`. */
  name?: string;
  tags?: Record<string, string>;
  /** Per-request timeout; the plan's http.timeout by default. */
  timeout?: Duration;
  /** Redirects to follow (the plan's http.redirects, 10 by default); 0 answers with the 3xx itself. */
  redirects?: number;
  /**
   * How redirects are followed: `standard` (the default, as browsers and k6) or `artillery` (as
   * Artillery flows are: any 3xx, all but 307/308 become a GET, and once a hop leaves the
   * request's origin no later hop carries cookies). See engine/redirects.ts.
   */
  redirectRule?: RedirectRuleName;
  /** Cookies for this request, beside (and over) the VU's jar's. */
  cookies?: Record<string, string>;
  /**
   * `false`: the VU's cookie jar neither adds its cookies to this request nor keeps the ones it
   * sets. A jar from `vu.http.newCookieJar()`: that jar does, instead of the VU's.
   */
  jar?: false | VuCookies;
  /** Read the response body and drop it (`body` and `text` are empty): no memory, no size cap. */
  discardBody?: boolean;
}

export type RedirectRuleName = 'standard' | 'artillery';

/** A cookie set from a flow (`vu.http.cookies.set`). */
export interface CookieOptions {
  /** Sent to this domain and its subdomains; without it the cookie is host-only. */
  domain?: string;
  /** Sent to this path and below (default `/`). */
  path?: string;
  /** Expiry as a Date or epoch milliseconds; a session cookie without it (or maxAge). */
  expires?: Date | number;
  /** Lifetime in seconds; 0 or less deletes the cookie. */
  maxAge?: number;
  /** Sent over https only. */
  secure?: boolean;
}

/**
 * The VU's cookie jar: cookies that responses set (`Set-Cookie`) go back with the VU's later
 * requests to matching URLs. It is emptied when each iteration starts, as k6 does.
 */
export interface VuCookies {
  /** Name → value of the cookies that a request to `url` would carry. */
  get(url: string): Record<string, string>;
  /** Name → every value a request to `url` would carry under that name, in the order sent. */
  getAll(url: string): Record<string, string[]>;
  /** Stores a cookie as if a response from `url` had set it. */
  set(url: string, name: string, value: string, options?: CookieOptions): void;
  /** Forgets every cookie, or only those a request to `url` would carry. */
  clear(url?: string): void;
  /** Forgets the cookies named `name` that a request to `url` would carry. */
  delete(url: string, name: string): void;
}

export interface HttpResponse<T = any> {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the response is JSON, else the text. */
  body: T;
  /** The body as text, as it came. */
  text: string;
  /** True when the status was an expected outcome. */
  ok: boolean;
  /** Set when the request failed before a response (ECONNREFUSED, ETIMEDOUT, ...); status is 0. */
  error?: string;
  /** Latency from the intended start, in milliseconds (of the last request when redirects were followed). */
  latencyMs: number;
  /** The URL that answered: after redirects, the last one. */
  url: string;
  /** The protocol it was answered in: 'HTTP/1.1' or 'HTTP/2.0'. */
  proto: string;
  /** The values of its `Set-Cookie` headers, one per header, as received. */
  readonly setCookies?: readonly string[];
  /** The address and port of the server's end of the connection that answered, when known. */
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  /** Where that latency went, when the client measured it. */
  readonly phases?: HttpPhases;
  /** On `https:`: what the connection that answered agreed. */
  readonly tls?: HttpTlsInfo;
}

/** What a TLS connection agreed, in k6's names. */
export interface HttpTlsInfo {
  /** `tls1.2`, `tls1.3`. */
  version: string;
  /** The IANA name of the cipher suite, as Go and k6 write it: `TLS_AES_128_GCM_SHA256`. */
  cipherSuite: string;
  /** The OCSP response the server stapled (DER), when it stapled one. */
  ocspResponse?: Uint8Array;
}

/** The parts of a request's latency, in milliseconds (they add up to `latencyMs`). */
export interface HttpPhases {
  /** From the intended start to the request written: waiting for a connection or for the schedule. */
  blocked: number;
  /** From the request written to the first byte of the answer. */
  waiting: number;
  /** From the first byte to the last. */
  receiving: number;
  /**
   * Parts of `blocked`, non-zero only for the request that opened a new connection: its TCP
   * connect, and its TLS handshake (0 on `http:`).
   */
  connecting: number;
  tlsHandshaking: number;
}

export interface VuHttp {
  get<T = any>(url: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  delete<T = any>(url: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  head<T = any>(url: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  post<T = any>(url: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  put<T = any>(url: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  patch<T = any>(url: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  request<T = any>(method: string, url: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  /**
   * Sends the requests in parallel (one iteration's concurrent requests, as a browser fetches a
   * page's resources) and resolves with their responses in the same order. Each is
   * `[method, url, options?]` or `{ method, url, ...options }`; all are measured from the same
   * intended start.
   */
  batch(requests: readonly BatchRequest[]): Promise<HttpResponse[]>;
  /** The VU's cookie jar. */
  readonly cookies: VuCookies;
  /**
   * A new, empty jar of its own, for `RequestOptions.jar`: requests given it use it instead of
   * the VU's. It is not emptied between iterations.
   */
  newCookieJar(): VuCookies;
}

export type BatchRequest =
  | readonly [method: string, url: string, options?: RequestOptions]
  | ({ method: string; url: string } & RequestOptions);

export interface VuMetrics {
  counter(name: string, value?: number, tags?: Record<string, string>): void;
  rate(name: string, ok: boolean, tags?: Record<string, string>): void;
  /** A trend value in milliseconds (or in the unit the name says). */
  trend(name: string, value: number, tags?: Record<string, string>): void;
  gauge(name: string, value: number, tags?: Record<string, string>): void;
}

/** What this process has run so far, over all its worker threads, read when asked. */
export interface InstanceCounts {
  /** VUs made so far. */
  readonly vusInitialized: number;
  /** VUs running an iteration now. */
  readonly vusActive: number;
  /** Iterations that ran to their end (a flow that threw included). */
  readonly iterationsCompleted: number;
  /** Iterations cut off by a stop. */
  readonly iterationsInterrupted: number;
}

export interface Vu<Setup = any, Data = Record<string, readonly unknown[]>> {
  /** 1-based id, unique across workers. */
  readonly id: number;
  /** This VU's own iteration count in its scenario, from 0. */
  readonly iteration: number;
  /** The iteration's number in the scenario, unique across VUs and worker threads, from 0. */
  readonly scenarioIteration: number;
  /** The scenario this iteration belongs to. */
  readonly scenario: string;
  /** Per-VU variables, kept across iterations. */
  readonly vars: Record<string, unknown>;
  /** The plan's data sets, shared by every VU of the thread (never copied per VU). */
  readonly data: Data;
  /** What setup() returned. */
  readonly setup: Setup;
  /** What this process has run so far, over all its threads. */
  readonly instance: InstanceCounts;
  /** Environment from `--env K=V` and the process environment. */
  readonly env: Record<string, string | undefined>;
  readonly http: VuHttp;
  readonly metrics: VuMetrics;
  sleep(duration: Duration): Promise<void>;
  /**
   * Records a named check (rate metric `checks`, per name in results.json `flowChecks`):
   * `check(name, () => cond)`, `check(name, value, (v) => cond)`, or `check(name, value)` for a
   * truthy value. A predicate that throws fails the check.
   */
  check(name: string, predicate: () => unknown): boolean;
  check<T>(name: string, value: T, predicate?: (value: T) => unknown): boolean;
  /** The same, with tags on its `checks` sample (for threshold filters such as `checks{kind:auth}`). */
  check<T>(
    name: string,
    value: T,
    predicate: ((value: T) => unknown) | undefined,
    tags: Record<string, string>,
  ): boolean;
  /**
   * Runs `fn` as a named group (k6's `group`): groups nest, the time each took is recorded as
   * `group_duration{group:::outer::inner}`, and requests made inside are tagged with the group.
   * Resolves with what `fn` returned.
   */
  group<T>(name: string, fn: () => T | Promise<T>): Promise<T>;
  /** Signal that aborts when the run stops; pass it to long waits. */
  readonly signal: AbortSignal;
}

export type Flow<Setup = any> = (vu: Vu<Setup>) => Promise<void> | void;

export interface WeightedFlow<Setup = any> {
  name: string;
  weight: number;
  flow: Flow<Setup>;
}

// ---------------------------------------------------------------- executors

interface ScenarioCommon<Setup> {
  /** One flow, or a deterministic weighted mix of flows (70/20/10 gives exactly that over every 100). */
  flow: Flow<Setup> | WeightedFlow<Setup>[];
  /** Delay from the start of the test. */
  startTime?: Duration;
  /** Time in-flight iterations get to finish after the scenario ends (default 30s). */
  gracefulStop?: Duration;
  tags?: Record<string, string>;
}

/**
 * A scenario as a plan writes it: the keys every scenario has, and its executor's own (one line
 * per executor, from its folder `executors/<name>/config.ts`; the executors' registry,
 * `executors/index.ts`, is keyed by this union's names, so the two cannot differ).
 */
export type ScenarioInput<S = any> = ScenarioCommon<S> &
  (
    | ConstantArrivalRateKeys
    | RampingArrivalRateKeys
    | ConstantVusKeys
    | RampingVusKeys
    | PerVuIterationsKeys
    | SharedIterationsKeys
  );

export type ExecutorName = ScenarioInput['executor'];

// ---------------------------------------------------------------- thresholds, checks, data

export interface ThresholdObject {
  threshold: string;
  /** A second, looser expression: over target but within it is WARN, beyond it FAIL. */
  critical?: string;
  abortOnFail?: boolean;
  /** Do not abort before this much of the run has passed. */
  delayAbortEval?: Duration;
}
export type ThresholdInput = string | ThresholdObject;

export interface CheckContext<Setup = any> {
  setup: Setup;
  env: Record<string, string | undefined>;
  phase: 'before' | 'during' | 'after';
  /** A counter recorded by the flows (vu.metrics.counter), merged over every worker so far. */
  counter(name: string): number;
  /** Names of the counters recorded so far that start with `prefix`. */
  counterNames(prefix?: string): string[];
}

/** An invariant of the system under test: fails with a message (or rows) when violated. */
export interface CheckInput<Setup = any> {
  /** Returns nothing / true when it holds; false, a message or a list of offending rows when it does not. */
  run: (ctx: CheckContext<Setup>) => Promise<unknown> | unknown;
  /** When to run: before the load, every N during it, after it. Default: after only. */
  before?: boolean;
  every?: Duration;
  after?: boolean;
  description?: string;
}

export type DataInput = readonly unknown[] | { file: string; format?: 'json' | 'csv' };

export interface HttpConfigInput {
  /** Default request timeout (default 60s). */
  timeout?: Duration;
  /** Connections per origin per worker thread (default: enough for the VUs). */
  connections?: number;
  /** Requests in flight per connection (default 1). */
  pipelining?: number;
  /** Redirects a request follows (default 10, as k6); 0 keeps the 3xx. A request's `redirects` wins. */
  redirects?: number;
  /** Accept any TLS certificate (self-signed, expired, another name). `loadproof run --insecure` too. */
  insecureSkipTLSVerify?: boolean;
  /**
   * HTTP version for `https:` origins. By default HTTP/2 is offered by ALPN and used when the
   * server agrees, else HTTP/1.1. `'1.1'` never offers HTTP/2; `2` requires it: a request the
   * server does not agree to speak HTTP/2 on (or to an `http:` origin) fails with EHTTP2.
   */
  version?: '1.1' | 2 | '2';
  /**
   * The most body bytes one response keeps in memory (default 64 MiB): a response past it fails
   * with BODY_TOO_LARGE. A request with `discardBody: true` reads its body without keeping it.
   */
  maxBodyBytes?: number;
  /**
   * How a request without `name` is named in metrics: `'path'` (the default: its path, without
   * the query) or `'url'` (its full URL as the flow wrote it, query included, and each redirect hop
   * by its own URL, as k6 names them; a request with `name` keeps it over every hop). Past the
   * run's endpoint series limit, names fold into one series as any others do.
   */
  names?: 'path' | 'url';
  /** TLS versions, cipher suites and client certificates of `https:` requests. */
  tls?: TlsConfig;
}

export type TlsVersionName = 'tls1.0' | 'tls1.1' | 'tls1.2' | 'tls1.3';

/** How `https:` connections are made (plan/tls-options.ts checks it). */
export interface TlsConfig {
  /** The lowest and highest TLS versions offered (Node's defaults: tls1.2 to tls1.3). */
  minVersion?: TlsVersionName;
  maxVersion?: TlsVersionName;
  /**
   * The TLS 1.0-1.2 cipher suites offered, by IANA name as k6 and Go write them
   * (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`); TLS 1.3's suites are offered whatever this says.
   */
  cipherSuites?: string[];
  /**
   * Client certificates: each is presented to the hosts its `domains` name (`*.example.com`: any
   * one-label subdomain). `cert` and `key` are PEM texts; `password` opens an encrypted key.
   */
  clientCertificates?: { domains: string[]; cert: string; key: string; password?: string }[];
}

export interface SetupContext {
  env: Record<string, string | undefined>;
  target: string;
}

export interface PlanInput<Setup = any> {
  name?: string;
  target: string;
  headers?: Record<string, string>;
  /** The scenarios; or, instead, a top-level `flow`: one scenario named `default` (k6's default function). */
  scenarios?: Record<string, ScenarioInput<Setup>>;
  flow?: Flow<Setup> | WeightedFlow<Setup>[];
  thresholds?: Record<string, ThresholdInput[] | ThresholdInput>;
  checks?: Record<string, CheckInput<Setup>>;
  data?: Record<string, DataInput>;
  http?: HttpConfigInput;
  /** Custom metrics the flows record (vu.metrics.*), so thresholds may name them. */
  metrics?: Record<string, 'trend' | 'counter' | 'rate' | 'gauge'>;
  /** Loosens (or tightens) the built-in run-validity criteria, each by its name. */
  validity?: ValidityInput;
  setup?: (ctx: SetupContext) => Promise<Setup> | Setup;
  teardown?: (setup: Setup, ctx: SetupContext) => Promise<void> | void;
  /** How long setup() may take before the run fails (default 60s, as k6). */
  setupTimeout?: Duration;
  /** How long teardown() may take before it counts as failed (default 60s, as k6). */
  teardownTimeout?: Duration;
  /**
   * Called with the results once the run is judged (k6's model): what it returns is written, each
   * key a file path relative to the working folder, or `stdout` / `stderr`. A `stdout` entry
   * replaces the printed summary.
   */
  handleSummary?: (results: ResultsFile) => SummaryFiles | Promise<SummaryFiles>;
}

/**
 * The built-in run-validity criteria a plan may change, by name (verdict/run-validity.ts): the
 * planned load must have been delivered for a GO.
 */
export interface ValidityInput {
  /** Missed + dropped arrivals, as a share of the planned ones: `'5%'` (built-in `'1%'`). */
  maxMissedArrivals?: string;
  /** Requests that got no response, as a share of the requests sent: `'2%'` (built-in `'1%'`). */
  maxAborted?: string;
  /** Requests the run must send at the least (built-in 1). */
  minRequests?: number;
  /** Every shard of a merged run must have started on time (built-in true). */
  shardsOnTime?: boolean;
}

/** The run-validity limits as numbers: percentages as fractions of 1 (`'5%'` is 0.05). */
export interface ValidityLimits {
  maxMissedArrivals: number;
  maxAborted: number;
  minRequests: number;
  shardsOnTime: boolean;
}

/** What `handleSummary` returns: contents by file path, `stdout` or `stderr`. */
export type SummaryFiles = Record<string, string | Uint8Array>;

// ---------------------------------------------------------------- normalized

/** A validated scenario's executor and its settings (`executors/<name>/config.ts`). */
export type ScenarioConfig =
  | ConstantArrivalRateConfig
  | RampingArrivalRateConfig
  | ConstantVusConfig
  | RampingVusConfig
  | PerVuIterationsConfig
  | SharedIterationsConfig;

export interface Scenario {
  name: string;
  config: ScenarioConfig;
  flows: WeightedFlow[];
  startTimeMs: number;
  gracefulStopMs: number;
  tags: Record<string, string>;
  /** The scenario a top-level flow became: --vus and --duration shape it as k6's shortcuts do. */
  implicit?: boolean;
}

export interface ThresholdSpec {
  /** As written, e.g. `http_req_duration{scenario:contention}`. */
  key: string;
  expression: string;
  critical?: string;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
  /** One of the defaults a plan without thresholds gets (verdict/default-thresholds.ts). */
  isDefault?: boolean;
}

export interface CheckSpec {
  name: string;
  run: CheckInput['run'];
  before: boolean;
  everyMs?: number;
  after: boolean;
  description?: string;
}

export interface Plan {
  name: string;
  target: string;
  headers: Record<string, string>;
  scenarios: Scenario[];
  thresholds: ThresholdSpec[];
  checks: CheckSpec[];
  data: Record<string, DataInput>;
  http: {
    timeoutMs: number;
    connections?: number;
    pipelining: number;
    /** Default 10 when absent. */
    redirects?: number;
    insecureSkipTLSVerify?: boolean;
    /** Absent: HTTP/2 offered on https, HTTP/1.1 else. */
    version?: '1.1' | '2';
    /** Absent: 64 MiB (DEFAULT_MAX_BODY_BYTES). */
    maxBodyBytes?: number;
    /** Absent: 'path'. */
    names?: 'path' | 'url';
    tls?: TlsConfig;
  };
  /** Every metric a threshold may name: the built-in ones and those the plan declares. */
  metricTypes: Record<string, 'trend' | 'counter' | 'rate' | 'gauge'>;
  /** The run-validity limits the plan changed; the others keep their built-in value. */
  validity?: Partial<ValidityLimits>;
  setup?: PlanInput['setup'];
  teardown?: PlanInput['teardown'];
  /** setup()'s and teardown()'s time limits; 60 s when absent. */
  setupTimeoutMs?: number;
  teardownTimeoutMs?: number;
  handleSummary?: PlanInput['handleSummary'];
}
