/**
 * One Artillery virtual user, what a scenario's steps run on: each arrival is a new one, with a
 * fresh context (variables from `config.variables`, one row of each payload, `$uuid`, `$env`,
 * `$environment`, `$scenarioFile`, `$dirname`) and its own cookies (the VU's jar, emptied when
 * each iteration starts). Its steps: the request methods (./request-step.ts), `function`,
 * `think`, `log`, `loop` and `parallel` (./loop.ts).
 *
 * Metrics it records besides loadproof's own: `vusers.created`, `vusers.completed` (counters),
 * `vusers.failed` (rate), `errors.<code>` (counters) (./script.ts), `plugins.expect.ok|failed[.type]`
 * (counters), and whatever the processor emits (`counter`, `histogram`, `rate`).
 *
 * Both `loadproof run script.yml` and plans written by `loadproof convert` run through this.
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Vu } from '../types.ts';
import { ArtilleryEvents } from './events.ts';
import { runLoop, runParallel } from './loop.ts';
import { payloadVariables } from './payload.ts';
import { type ArtilleryFn, callArtillery } from './processor.ts';
import { requestStep } from './request-step.ts';
import type { ArtilleryScript } from './script.ts';
import type { ArtilleryContext, LoopOptions, RequestSpec, ScenarioSpec } from './script-types.ts';
import { DEFAULT_FUNCS, template, templateText } from './template.ts';
import { ArtilleryUserError } from './user-error.ts';

/** One Artillery virtual user: what a scenario's steps run on. */
export class ArtilleryVu {
  readonly context: ArtilleryContext;
  private eventsObj: ArtilleryEvents | undefined;

  constructor(
    readonly script: ArtilleryScript,
    readonly vu: Vu,
    arrival: number,
    readonly scenario: ScenarioSpec,
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
  loop(opts: LoopOptions, body: () => Promise<void>): Promise<void> {
    return runLoop(this.context, this.vu.signal, opts, body);
  }

  /** `parallel`: the steps at once, at most `limit` (100) together. */
  parallel(bodies: readonly (() => Promise<void>)[], limit = 100): Promise<void> {
    return runParallel(bodies, limit);
  }

  /** One request step, as Artillery's HTTP engine does it. */
  request(method: string, spec: RequestSpec): Promise<void> {
    return requestStep(this, method, spec);
  }
}
