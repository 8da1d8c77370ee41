/**
 * One request step, as Artillery's HTTP engine runs it: `ifTrue` and `probability`, the
 * `beforeRequest` hooks on a copy of the step, the request (the VU's, redirects and cookies
 * included: ./request-options.ts), captures, the expect plugin's expectations (loadproof checks
 * and `plugins.expect.*` counters) and the `afterResponse` hooks, all on the last response. A
 * network error, a failed capture or a hook's error ends the virtual user's scenario.
 */

import { runCaptures } from './capture.ts';
import { expectationList, runExpectations } from './expectations.ts';
import { compileExpression } from './expression.ts';
import { type ArtilleryFn, callArtillery } from './processor.ts';
import { requestOptions } from './request-options.ts';
import type { ArtilleryContext, RequestSpec } from './script-types.ts';
import { setPath, template, templateText } from './template.ts';
import { ArtilleryUserError } from './user-error.ts';
import type { ArtilleryVu } from './virtual-user.ts';

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const conditions = new Map<string, (vars: Record<string, unknown>) => unknown>();

/** An `ifTrue` expression, compiled once per source. */
function condition(src: string): (vars: Record<string, unknown>) => unknown {
  let f = conditions.get(src);
  if (!f) {
    f = compileExpression(src);
    conditions.set(src, f);
  }
  return f;
}

/** A copy of plain data, so that hooks change this request's params, never the step's. */
function cloneData<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneData) as T;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = cloneData(x);
    return out as T;
  }
  return v;
}

/** `beforeRequest` / `afterResponse` hooks in order; one that throws runs `onError` and ends the user. */
async function runHooks(
  u: ArtilleryVu,
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
      await onError(u, err, params);
      throw err;
    }
  }
}

/** The scenario's `onError` functions, `fn(err, params, context, events)`; their own errors are ignored. */
async function onError(u: ArtilleryVu, err: Error, params: Record<string, unknown>): Promise<void> {
  for (const fn of u.scenario.onError ?? []) {
    try {
      await callArtillery(fn, [err, params, u.context, u.events]);
    } catch {}
  }
}

function shouldSend(spec: RequestSpec, context: ArtilleryContext): boolean {
  if (spec.probability !== undefined) {
    const p = Math.min(100, Number(spec.probability) || 0);
    // Sent with probability p/100: 0 never, 100 always.
    if (!(Math.random() * 100 < p)) return false;
  }
  if (spec.ifTrue !== undefined) {
    try {
      const result =
        typeof spec.ifTrue === 'function' ? spec.ifTrue(context.vars) : condition(spec.ifTrue)(context.vars);
      if (!result) return false;
    } catch {
      // Artillery proceeds when the condition cannot be evaluated.
    }
  }
  return true;
}

function absolute(u: ArtilleryVu, url: string): string {
  return url.startsWith('/') ? u.script.target + url : url;
}

/** One request step, as Artillery's HTTP engine does it. */
export async function requestStep(u: ArtilleryVu, method: string, spec: RequestSpec): Promise<void> {
  if (!shouldSend(spec, u.context)) return;
  const ctx = u.context;
  const script = u.script;
  const scenario = u.scenario;
  const timeoutMs = (script.options.timeout ?? 10) * 1000;
  const params: Record<string, unknown> = {
    ...spec,
    url: absolute(u, spec.url),
    method,
    timeout: timeoutMs,
    ...(spec.json !== undefined ? { json: cloneData(spec.json) } : {}),
    ...(spec.body !== undefined ? { body: cloneData(spec.body) } : {}),
    ...(spec.headers !== undefined ? { headers: { ...spec.headers } } : {}),
    ...(spec.qs !== undefined ? { qs: { ...spec.qs } } : {}),
    ...(spec.form !== undefined ? { form: { ...spec.form } } : {}),
  };
  await runHooks(
    u,
    [...(scenario.beforeRequest ?? []), ...list(spec.beforeRequest)],
    [params, ctx, u.events],
    params,
  );
  if (typeof ctx.vars.$loopElement === 'string' && ctx.vars.$loopElement.includes('{{'))
    ctx.vars.$loopElement = template(ctx.vars.$loopElement, ctx);

  const options = await requestOptions(params, spec, ctx, script, timeoutMs);

  let url = absolute(u, templateText(params.url, ctx));
  if (url.startsWith(`${script.target}/`)) url = url.slice(script.target.length);
  const res = await u.vu.http.request(method, url, options);
  if (res.error) {
    const err = new ArtilleryUserError(`${method} ${spec.url}: ${res.error}`, res.error);
    await onError(u, err, params);
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
      u.vu.check(`${label}: ${r.label}`, r.ok);
      u.vu.metrics.counter(r.ok ? 'plugins.expect.ok' : 'plugins.expect.failed', 1);
      u.vu.metrics.counter(`plugins.expect.${r.ok ? 'ok' : 'failed'}.${r.type}`, 1);
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
    await runHooks(u, afterHooks, [params, hookResponse, ctx, u.events], params);
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
