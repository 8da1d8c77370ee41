/**
 * A request step's parameters (after the `beforeRequest` hooks) turned into the VU's request
 * options, templated with the virtual user's context: headers over the script's defaults, one
 * body (`json`, `body`, `form`, `formData`), `qs`, `auth`, cookies, the timeout, the statuses
 * `expect` lists and the metrics name. Redirects and cookies are the VU's own, configured as
 * Artillery's: the `artillery` redirect rule, 10 hops unless `followRedirect: false`, the VU's
 * cookie jar, and `config.defaults.cookie` and the step's `cookie` beside (and over) the jar's.
 */
import type { RequestOptions } from '../types.ts';
import { expectedStatuses } from './expectations.ts';
import type { RequestSpec, ScriptOptions } from './script-types.ts';
import { type TemplateContext, template, templateText } from './template.ts';

/** Redirects a request follows unless it says `followRedirect: false` (Artillery's, got's). */
export const MAX_REDIRECTS = 10;

/** Header names in lower case. */
export function lowerKeys(h: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (h) for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

/** `config.defaults.cookie` and the request's `cookie`, templated: beside (and over) the jar's. */
function requestCookies(
  defaults: Record<string, unknown> | undefined,
  own: Record<string, unknown> | undefined,
  ctx: TemplateContext,
): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const src of [defaults, own]) {
    if (src) for (const [k, v] of Object.entries(src)) out[k] = templateText(v, ctx);
  }
  return Object.keys(out).length ? out : undefined;
}

/** The VU's request options for one step: `params` as the hooks left them, `spec` as written. */
export async function requestOptions(
  params: Record<string, unknown>,
  spec: RequestSpec,
  ctx: TemplateContext,
  script: { options: ScriptOptions; headers: Record<string, unknown> },
  defaultTimeoutMs: number,
): Promise<RequestOptions> {
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
  const cookies = requestCookies(
    script.options.defaults?.cookie,
    params.cookie as Record<string, unknown> | undefined,
    ctx,
  );
  if (cookies) options.cookies = cookies;
  options.headers = headers;
  options.redirectRule = 'artillery';
  options.redirects = spec.followRedirect === false ? 0 : MAX_REDIRECTS;
  if (params.timeout !== defaultTimeoutMs && Number(params.timeout) > 0)
    options.timeout = `${params.timeout}ms`;
  const expected = expectedStatuses(spec.expect);
  if (expected.length) options.expect = expected;
  const name = spec.name ?? (spec.url.includes('{{') ? spec.url.split('?')[0] : undefined);
  if (name !== undefined) options.name = name;
  return options;
}
