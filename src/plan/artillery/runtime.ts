/**
 * Runs Artillery scenarios on loadproof VUs, with Artillery's semantics. Each arrival is a new
 * Artillery virtual user: a fresh context (variables from `config.variables`, one row of each
 * payload, `$uuid`, `$env`), its own cookies, and a scenario run once. Requests are templated,
 * pass through the processor's hooks, follow redirects, capture values and check the expect
 * plugin's expectations (recorded as loadproof checks). A network error, a failed capture or a
 * processor error ends the user's scenario (Artillery's failed virtual user).
 *
 * Metrics it records besides loadproof's own: `vusers.created`, `vusers.completed` (counters),
 * `vusers.failed` (rate), `errors.<code>` (counters), `plugins.expect.ok|failed[.type]`
 * (counters), and whatever the processor emits (`counter`, `histogram`, `rate`).
 *
 * Both `loadproof run script.yml` and plans written by `loadproof convert` run through this.
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestOptions, Vu, WeightedFlow } from '../types.ts';
import { type CaptureSpec, runCaptures } from './capture.ts';
import { ArtilleryEvents } from './events.ts';
import { type ExpectSpec, expectationList, expectedStatuses, runExpectations } from './expectations.ts';
import { compileExpression } from './expression.ts';
import { type Payload, payloadVariables } from './payload.ts';
import { type ArtilleryFn, callArtillery, callCondition } from './processor.ts';
import { DEFAULT_FUNCS, getPath, setPath, type TemplateContext, template, templateText } from './template.ts';

export interface ExpectPluginOptions {
  /** A request without expectations expects 200. */
  expectDefault200?: boolean;
  /** A failed expectation also fails the virtual user. */
  reportFailuresAsErrors?: boolean;
}

export interface ScriptOptions {
  target: string;
  /** `--environment` name, as `$environment`. */
  environment?: string;
  variables?: Record<string, unknown>;
  payload?: Payload[];
  defaults?: {
    headers?: Record<string, unknown>;
    cookie?: Record<string, unknown>;
    strictCapture?: boolean;
    /** Think time jitter, e.g. "20%". */
    think?: { jitter?: string };
  };
  /** The expect plugin's options when `config.plugins.expect` is set; without it, `expect` is not checked. */
  expect?: ExpectPluginOptions;
  /** config.http.timeout in seconds (Artillery's default is 10). */
  timeout?: number;
  /** The script's path, as `$scenarioFile` and (its folder) `$dirname`. */
  scriptPath?: string | URL;
}

/** What a request step sends and expects, as the script writes it (templates unrendered). */
export interface RequestFields {
  url: string;
  /** Name for the metrics (else a templated URL as written, else the path). */
  name?: string;
  json?: unknown;
  body?: unknown;
  form?: Record<string, unknown>;
  formData?: Record<string, unknown>;
  qs?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  cookie?: Record<string, unknown>;
  auth?: { user: unknown; pass: unknown };
  expect?: ExpectSpec;
  followRedirect?: boolean;
}

export interface RequestSpec extends RequestFields {
  capture?: CaptureSpec | CaptureSpec[];
  /** An expression over the variables, or a processor function of them. */
  ifTrue?: string | ArtilleryFn;
  /** Percent chance that the request is sent. */
  probability?: number;
  beforeRequest?: ArtilleryFn | ArtilleryFn[];
  afterResponse?: ArtilleryFn | ArtilleryFn[];
}

export interface ScenarioSpec {
  name: string;
  weight?: number;
  run: (u: ArtilleryVu) => Promise<void>;
  beforeRequest?: ArtilleryFn[];
  afterResponse?: ArtilleryFn[];
  onError?: ArtilleryFn[];
}

export interface LoopOptions {
  count?: number | string;
  /** A list, or the name of a variable holding one. */
  over?: unknown[] | string;
  whileTrue?: ArtilleryFn;
  loopValue?: string;
  loopElement?: string;
}

/** The context a processor function receives: `context.vars` as in Artillery. */
export interface ArtilleryContext extends TemplateContext {
  vars: Record<string, any>;
  funcs: Record<string, (...args: unknown[]) => unknown>;
  _uid: string;
}

/** Why a virtual user stopped: a network error code, a failed capture, a processor error. */
export class ArtilleryUserError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ArtilleryUserError';
  }
}

/** Redirects a request follows unless it says `followRedirect: false` (Artillery's, got's). */
const MAX_REDIRECTS = 10;
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const conditions = new Map<string, (vars: Record<string, unknown>) => unknown>();

function condition(src: string): (vars: Record<string, unknown>) => unknown {
  let f = conditions.get(src);
  if (!f) {
    f = compileExpression(src);
    conditions.set(src, f);
  }
  return f;
}

function lowerKeys(h: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (h) for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

function cloneData<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneData) as T;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = cloneData(x);
    return out as T;
  }
  return v;
}

/** An Artillery script's shared part: one per thread, used by every arrival. */
export class ArtilleryScript {
  readonly target: string;
  private readonly defaultHeaders: Record<string, unknown>;

  constructor(readonly options: ScriptOptions) {
    this.target = options.target.replace(/\/+$/, '');
    this.defaultHeaders = lowerKeys(options.defaults?.headers);
  }

  get headers(): Record<string, unknown> {
    return this.defaultHeaders;
  }

  /** The weighted flows of one phase; `firstArrival` numbers its first arrival in the whole run. */
  flows(firstArrival: number, scenarios: readonly ScenarioSpec[]): WeightedFlow[] {
    return scenarios
      .filter((s) => (s.weight ?? 1) > 0)
      .map((s) => ({
        name: s.name,
        weight: s.weight ?? 1,
        flow: (vu: Vu) => this.run(vu, firstArrival + vu.scenarioIteration, s),
      }));
  }

  /** One arrival: a new Artillery virtual user runs the scenario once. */
  async run(vu: Vu, arrival: number, scenario: ScenarioSpec): Promise<void> {
    const u = new ArtilleryVu(this, vu, arrival, scenario);
    vu.metrics.counter('vusers.created', 1);
    try {
      await scenario.run(u);
    } catch (e) {
      if (!vu.signal.aborted) {
        vu.metrics.rate('vusers.failed', true);
        const code = e instanceof ArtilleryUserError ? e.code : (e as Error)?.message || String(e);
        vu.metrics.counter(`errors.${code}`, 1);
      }
      throw e;
    }
    vu.metrics.rate('vusers.failed', false);
    vu.metrics.counter('vusers.completed', 1);
  }
}

/** How long a loop may run before it lets timers and signals in. */
const LOOP_YIELD_MS = 10;

/** One Artillery virtual user: what a scenario's steps run on. */
export class ArtilleryVu {
  readonly context: ArtilleryContext;
  private eventsObj: ArtilleryEvents | undefined;

  constructor(
    private readonly script: ArtilleryScript,
    readonly vu: Vu,
    arrival: number,
    private readonly scenario: ScenarioSpec,
  ) {
    const o = script.options;
    const uid = randomUUID();
    const vars: Record<string, unknown> = {
      target: o.target,
      $environment: o.environment,
      $processEnvironment: vu.env,
      $env: vu.env,
    };
    if (o.scriptPath) {
      const path = o.scriptPath instanceof URL ? fileURLToPath(o.scriptPath) : o.scriptPath;
      vars.$scenarioFile = path;
      vars.$dirname = dirname(path);
    }
    for (const p of o.payload ?? []) payloadVariables(p, arrival, vars);
    for (const [k, v] of Object.entries(o.variables ?? {}))
      vars[k] = Array.isArray(v) ? v[Math.floor(Math.random() * v.length)] : v;
    vars.$uuid = uid;
    const context: ArtilleryContext = { vars, funcs: { ...DEFAULT_FUNCS }, _uid: uid };
    context.funcs.$template = (input) => template(input, context);
    this.context = context;
  }

  get vars(): Record<string, any> {
    return this.context.vars;
  }

  get events(): ArtilleryEvents {
    this.eventsObj ??= new ArtilleryEvents(this.vu);
    return this.eventsObj;
  }

  get(spec: RequestSpec) {
    return this.request('GET', spec);
  }
  post(spec: RequestSpec) {
    return this.request('POST', spec);
  }
  put(spec: RequestSpec) {
    return this.request('PUT', spec);
  }
  patch(spec: RequestSpec) {
    return this.request('PATCH', spec);
  }
  delete(spec: RequestSpec) {
    return this.request('DELETE', spec);
  }
  head(spec: RequestSpec) {
    return this.request('HEAD', spec);
  }

  /** A `function` step (and beforeScenario / afterScenario): `fn(context, events, done)`. */
  async call(fn: ArtilleryFn): Promise<void> {
    try {
      await callArtillery(fn, [this.context, this.events]);
    } catch (e) {
      throw new ArtilleryUserError(`${fn.name || 'function'}: ${(e as Error).message}`, (e as Error).message);
    }
  }

  /** `think: seconds`, templated; with a jitter such as "20%". */
  async think(seconds: number | string, jitter?: string): Promise<void> {
    let s = Number.parseFloat(templateText(seconds, this.context));
    if (!Number.isFinite(s) || s <= 0) return;
    const j = jitter ?? this.script.options.defaults?.think?.jitter;
    if (j !== undefined) {
      const pct = Number.parseFloat(String(j));
      if (Number.isFinite(pct)) s *= 1 + ((Math.random() * 2 - 1) * pct) / 100;
    }
    await this.vu.sleep(Math.max(0, s));
  }

  /** `log: message`, templated, to stderr. */
  log(message: unknown): void {
    process.stderr.write(`${templateText(message, this.context)}\n`);
  }

  /** `loop`: count (a number or "from-to"), over (a list or a variable's list), or whileTrue. */
  async loop(opts: LoopOptions, body: () => Promise<void>): Promise<void> {
    const vars = this.context.vars;
    const indexVar = opts.loopValue ?? '$loopCount';
    const elementVar = opts.loopElement ?? '$loopElement';
    let from = 0;
    let to = -1;
    if (opts.count !== undefined) {
      const c = typeof opts.count === 'string' ? templateText(opts.count, this.context) : opts.count;
      const range = typeof c === 'string' ? /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(c) : null;
      if (range) {
        from = Number(range[1]);
        to = Number(range[2]);
      } else {
        // A templated count may render to anything; a negative one is no loop, not an endless one.
        const n = Number(c);
        to = Number.isFinite(n) && n > 0 ? n : 0;
      }
    }
    let over: unknown[] | undefined;
    if (opts.over !== undefined) {
      const v = typeof opts.over === 'string' ? getPath(vars, opts.over) : opts.over;
      if (!Array.isArray(v)) return;
      over = v;
    }
    let i = from;
    vars[elementVar] = over ? over[i] : i;
    vars[indexVar] = i;
    let again = true;
    let lastYield = performance.now();
    for (;;) {
      if (this.vu.signal.aborted) throw new ArtilleryUserError('loop: the run stopped', 'ABORTED');
      if (opts.whileTrue) {
        if (!again) break;
      } else if (over) {
        if (i >= over.length) break;
      } else if (!(i < to || to === -1)) break;
      await body();
      i++;
      vars[indexVar] = (vars[indexVar] as number) + 1;
      if (over) vars[elementVar] = over[i];
      if (opts.whileTrue) again = await callCondition(opts.whileTrue, this.context);
      // Steps that never wait (log, a skipped request, a function) would keep this loop in
      // microtasks: timers, the end of the run and SIGTERM would wait for it to finish.
      if (performance.now() - lastYield > LOOP_YIELD_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
  }

  /** `parallel`: the steps at once, at most `limit` (100) together. */
  async parallel(bodies: readonly (() => Promise<void>)[], limit = 100): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < bodies.length) {
        const b = bodies[next++] as () => Promise<void>;
        await b();
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, bodies.length) }, lane));
  }

  private async hooks(
    fns: readonly ArtilleryFn[],
    args: unknown[],
    params: Record<string, unknown>,
  ): Promise<void> {
    for (const fn of fns) {
      try {
        await callArtillery(fn, args);
      } catch (e) {
        const err = new ArtilleryUserError(
          `${fn.name || 'hook'}: ${(e as Error).message}`,
          (e as Error).message,
        );
        await this.onError(err, params);
        throw err;
      }
    }
  }

  private async onError(err: Error, params: Record<string, unknown>): Promise<void> {
    for (const fn of this.scenario.onError ?? []) {
      try {
        await callArtillery(fn, [err, params, this.context, this.events]);
      } catch {}
    }
  }

  private shouldSend(spec: RequestSpec): boolean {
    if (spec.probability !== undefined) {
      const p = Math.min(100, Number(spec.probability) || 0);
      // Sent with probability p/100: 0 never, 100 always.
      if (!(Math.random() * 100 < p)) return false;
    }
    if (spec.ifTrue !== undefined) {
      try {
        const result =
          typeof spec.ifTrue === 'function'
            ? spec.ifTrue(this.context.vars)
            : condition(spec.ifTrue)(this.context.vars);
        if (!result) return false;
      } catch {
        // Artillery proceeds when the condition cannot be evaluated.
      }
    }
    return true;
  }

  private absolute(url: string): string {
    return url.startsWith('/') ? this.script.target + url : url;
  }

  /** `config.defaults.cookie` and the request's `cookie`, templated: beside (and over) the jar's. */
  private requestCookies(params: Record<string, unknown>): Record<string, string> | undefined {
    const sources = [
      this.script.options.defaults?.cookie,
      params.cookie as Record<string, unknown> | undefined,
    ];
    const out: Record<string, string> = {};
    for (const src of sources) {
      if (src) for (const [k, v] of Object.entries(src)) out[k] = templateText(v, this.context);
    }
    return Object.keys(out).length ? out : undefined;
  }

  /** One request step, as Artillery's HTTP engine does it. */
  async request(method: string, spec: RequestSpec): Promise<void> {
    if (!this.shouldSend(spec)) return;
    const ctx = this.context;
    const script = this.script;
    const scenario = this.scenario;
    const timeoutMs = (script.options.timeout ?? 10) * 1000;
    const params: Record<string, unknown> = {
      ...spec,
      url: this.absolute(spec.url),
      method,
      timeout: timeoutMs,
      ...(spec.json !== undefined ? { json: cloneData(spec.json) } : {}),
      ...(spec.body !== undefined ? { body: cloneData(spec.body) } : {}),
      ...(spec.headers !== undefined ? { headers: { ...spec.headers } } : {}),
      ...(spec.qs !== undefined ? { qs: { ...spec.qs } } : {}),
      ...(spec.form !== undefined ? { form: { ...spec.form } } : {}),
    };
    await this.hooks(
      [...(scenario.beforeRequest ?? []), ...list(spec.beforeRequest)],
      [params, ctx, this.events],
      params,
    );
    if (typeof ctx.vars.$loopElement === 'string' && ctx.vars.$loopElement.includes('{{'))
      ctx.vars.$loopElement = template(ctx.vars.$loopElement, ctx);

    const options: RequestOptions = {};
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...script.headers, ...lowerKeys(params.headers as any) }))
      headers[k] = templateText(v, ctx);
    if (params.json !== undefined && params.json !== null && params.json !== false) {
      options.json = template(params.json, ctx);
    } else if (params.body !== undefined && params.body !== null) {
      const b = template(params.body, ctx);
      options.body = typeof b === 'string' ? b : b instanceof Uint8Array ? b : JSON.stringify(b);
    } else if (params.form !== undefined) {
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(params.form as Record<string, unknown>))
        form.append(k, templateText(v, ctx));
      options.body = form.toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (params.formData !== undefined) {
      const fd = new FormData();
      for (const [k, v] of Object.entries(params.formData as Record<string, unknown>))
        fd.append(k, templateText(v, ctx));
      const encoded = new Response(fd);
      options.body = new Uint8Array(await encoded.arrayBuffer());
      headers['content-type'] = encoded.headers.get('content-type') as string;
    }
    if (params.qs !== undefined) {
      const q = template(params.qs, ctx) as Record<string, unknown>;
      options.query = Object.fromEntries(
        Object.entries(q ?? {}).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]),
      );
    }
    const auth = params.auth as { user?: unknown; pass?: unknown } | undefined;
    if (auth && typeof auth === 'object') {
      const user = templateText(auth.user ?? '', ctx);
      const pass = templateText(auth.pass ?? '', ctx);
      headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    const cookies = this.requestCookies(params);
    if (cookies) options.cookies = cookies;
    options.headers = headers;
    // The VU's redirects and cookie jar, followed and kept as Artillery does.
    options.redirectRule = 'artillery';
    options.redirects = spec.followRedirect === false ? 0 : MAX_REDIRECTS;
    if (params.timeout !== timeoutMs && Number(params.timeout) > 0) options.timeout = `${params.timeout}ms`;
    const expected = expectedStatuses(spec.expect);
    if (expected.length) options.expect = expected;
    const name = spec.name ?? (spec.url.includes('{{') ? spec.url.split('?')[0] : undefined);
    if (name !== undefined) options.name = name;

    let url = this.absolute(templateText(params.url, ctx));
    if (url.startsWith(`${script.target}/`)) url = url.slice(script.target.length);
    const res = await this.vu.http.request(method, url, options);
    if (res.error) {
      const err = new ArtilleryUserError(`${method} ${spec.url}: ${res.error}`, res.error);
      await this.onError(err, params);
      throw err;
    }

    const response = { headers: res.headers, body: res.body, text: res.text, status: res.status };
    const captures = runCaptures(list(spec.capture), response, ctx, script.options.defaults?.strictCapture);
    if (captures.failed.length === 0) for (const [as, v] of captures.values) setPath(ctx.vars, as, v);

    let failedExpectations = false;
    const plugin = script.options.expect;
    if (plugin) {
      let expectations = expectationList(spec.expect);
      if (expectations.length === 0 && plugin.expectDefault200) expectations = [['statusCode', 200]];
      const label = `${method} ${spec.name ?? spec.url}`;
      for (const r of runExpectations(expectations, response, ctx)) {
        this.vu.check(`${label}: ${r.label}`, r.ok);
        this.vu.metrics.counter(r.ok ? 'plugins.expect.ok' : 'plugins.expect.failed', 1);
        this.vu.metrics.counter(`plugins.expect.${r.ok ? 'ok' : 'failed'}.${r.type}`, 1);
        if (!r.ok) failedExpectations = true;
      }
    }

    const afterHooks = [...(scenario.afterResponse ?? []), ...list(spec.afterResponse)];
    if (afterHooks.length) {
      const hookResponse = {
        statusCode: res.status,
        headers: res.headers,
        body: res.text,
        url: res.url,
        request: params,
      };
      await this.hooks(afterHooks, [params, hookResponse, ctx, this.events], params);
    }
    if (captures.failed.length)
      throw new ArtilleryUserError(
        `Failed capture or match: ${method} ${spec.url}: ${captures.failed.join(', ')}`,
        'Failed capture or match',
      );
    if (failedExpectations && plugin?.reportFailuresAsErrors)
      throw new ArtilleryUserError(
        `Failed expectations for request ${spec.name ?? spec.url}`,
        'Failed expectations',
      );
  }
}

/** The connection URL of a `config.loadproof.checks` sql check, rendered with `$env` when it runs. */
export function checkUrl(raw: string | undefined, env: Record<string, string | undefined>): string {
  const source = raw ?? '{{ $env.DATABASE_URL }}';
  const url = templateText(source, { vars: { $env: env, $processEnvironment: env } });
  if (!url || url === 'undefined')
    throw new Error(`no database URL: ${source} is not set (set it, or pass --env)`);
  return url;
}

/** A config value templated with the environment only: `fromEnv('{{ $env.TARGET }}')`. */
export function fromEnv(source: string, env: Record<string, string | undefined> = process.env): string {
  return templateText(source, { vars: { $env: env, $processEnvironment: env } });
}

/** A new script runtime (what converted plans call). */
export function script(options: ScriptOptions): ArtilleryScript {
  return new ArtilleryScript(options);
}
