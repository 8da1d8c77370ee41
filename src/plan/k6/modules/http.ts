/**
 * `k6/http` on a loadproof VU: k6's call shapes (`get(url, params)`, `post(url, body, params)`,
 * `batch([...])`) and params turned into the VU's RequestOptions, the answer a k6 Response.
 */
import type { HttpResponse, RequestOptions } from '../../types.ts';
import { credentialsOf, withoutCredentials } from '../basic-auth.ts';
import { batchWaves } from '../batch-waves.ts';
import { current, type K6Http, required, state } from '../context.ts';
import { CookieJar, cookieJar, jarOption } from '../cookies.ts';
import { digestAuthorization, digestChallengeOf } from '../digest-auth.ts';
import { formBody } from '../form-body.ts';
import { requestParams } from '../k6-api.ts';
import { FileData, hasFile, multipartOf } from '../multipart.ts';
import { K6Response, type RequestEcho, type ResponseType } from '../response.ts';
import {
  ExpectedStatuses,
  expectedRule,
  expectsEveryStatus,
  setResponseCallback,
} from '../response-callback.ts';

type Params = Record<string, unknown>;

/** `auth: 'digest'`: who answers the challenge, and whether the first answer (the 401) is expected whatever it is. */
interface DigestCredentials {
  user: string;
  password: string;
  everyStatusExpected: boolean;
}
type Body = string | ArrayBuffer | Uint8Array | Record<string, unknown> | null | undefined;

/** Params loadproof maps (k6-api.ts); the engine names for redirects and TLS are those of the VU API. */
const KNOWN_PARAMS = requestParams('written', 'k6.params', 'none');

/** k6's params.cookies: `{ name: 'value' }` or `{ name: { value, replace } }`, beside the VU's jar. */
function cookiesOf(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v))
    throw new TypeError('k6/http: params.cookies must be an object of cookie names');
  const out: Record<string, string> = {};
  for (const [name, c] of Object.entries(v as Record<string, unknown>))
    out[name] =
      c !== null && typeof c === 'object' ? String((c as { value?: unknown }).value ?? '') : String(c);
  return out;
}

interface Prepared {
  method: string;
  url: string;
  options: RequestOptions;
  /** `auth: 'digest'`: the credentials that answer a 401's challenge. */
  digest?: DigestCredentials;
  responseType: ResponseType;
  echo: RequestEcho;
}

function timeoutOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return `${v}ms`;
  if (typeof v === 'string') return v;
  throw new TypeError(`k6/http: params.timeout must be a duration string or milliseconds, got ${typeof v}`);
}

/** What `http.url` gives: the URL, and the template as the requests' name (`/posts/${}`). */
class TemplatedUrl {
  constructor(
    readonly url: string,
    readonly name: string,
  ) {}
  toString(): string {
    return this.url;
  }
}

/** k6's `http.url` tagged template: one metrics name for every URL the template makes. */
export function url(strings: TemplateStringsArray, ...values: unknown[]): TemplatedUrl {
  let href = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) href += String(values[i]) + (strings[i + 1] ?? '');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: k6 names the requests with a literal ${}.
  return new TemplatedUrl(href, strings.join('${}'));
}

const NO_PARAMS: Params = Object.freeze({});

/** A request with a plain URL (no credentials) and neither body nor params (most GETs): what prepare() gives for it, built directly. */
function prepareBare(method: string, href: string): Prepared {
  const options: RequestOptions = { headers: {} };
  const expected = expectedRule(NO_PARAMS);
  if (expected) options.expected = expected;
  return {
    method,
    url: href,
    options,
    responseType: state.discardResponseBodies ? 'none' : 'text',
    echo: { method, url: href, body: '', headers: {} },
  };
}

function prepare(method: string, url: unknown, body: Body, params: Params | null | undefined): Prepared {
  if (typeof url === 'string' && params == null && body == null && !url.includes('@'))
    return prepareBare(method, url);
  if (typeof url !== 'string' && !(url instanceof URL) && !(url instanceof TemplatedUrl))
    throw new TypeError(`k6/http: the URL must be a string, got ${typeof url}`);
  const p = params ?? {};
  for (const k of Object.keys(p))
    if (!KNOWN_PARAMS.has(k))
      throw new Error(`k6/http: the request param "${k}" is not supported by loadproof yet`);
  const credentials = credentialsOf(String(url), p.auth);
  const href = credentials.url;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((p.headers as Record<string, unknown>) ?? {})) headers[k] = String(v);
  const options: RequestOptions = { headers };
  const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  if (credentials.authorization && !has('authorization')) headers.Authorization = credentials.authorization;
  const digest: DigestCredentials | undefined =
    credentials.digest && !has('authorization')
      ? { ...credentials.digest, everyStatusExpected: expectsEveryStatus(p) }
      : undefined;
  let sent = '';
  if (body !== undefined && body !== null) {
    if (typeof body === 'string') options.body = sent = body;
    else if (body instanceof ArrayBuffer) options.body = new Uint8Array(body);
    else if (body instanceof Uint8Array) options.body = body;
    else if (typeof body === 'object' && hasFile(body)) {
      const multipart = multipartOf(body);
      options.body = multipart.body;
      sent = Buffer.from(multipart.body).toString('utf8');
      if (!has('content-type')) headers['Content-Type'] = multipart.contentType;
    } else if (typeof body === 'object') {
      sent = formBody(body);
      options.body = sent;
      if (!has('content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }
  }
  const tags = { ...((p.tags as Record<string, string>) ?? {}) };
  if (url instanceof TemplatedUrl) options.name = withoutCredentials(url.name);
  if (tags.name !== undefined) {
    options.name = String(tags.name);
    delete tags.name;
  }
  if (Object.keys(tags).length) options.tags = tags;
  const expected = expectedRule(p);
  if (expected) options.expected = expected;
  const timeout = timeoutOf(p.timeout);
  if (timeout !== undefined) options.timeout = timeout;
  if (p.redirects !== undefined) (options as { redirects?: number }).redirects = Number(p.redirects);
  const cookies = cookiesOf(p.cookies);
  if (cookies) options.cookies = cookies;
  if (p.jar !== undefined && p.jar !== null) options.jar = jarOption(p.jar);
  const responseType =
    (p.responseType as ResponseType | undefined) ?? (state.discardResponseBodies ? 'none' : 'text');
  if (!['text', 'binary', 'none'].includes(responseType))
    throw new Error(`k6/http: responseType "${responseType}" is not one of text, binary, none`);
  // No body is wanted: it is read and dropped, so no memory is spent on it.
  if (responseType === 'none') options.discardBody = true;
  const echoHeaders: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) echoHeaders[k] = [v];
  return {
    method,
    url: href,
    options,
    ...(digest ? { digest } : {}),
    responseType,
    echo: { method, url: href, body: sent, headers: echoHeaders },
  };
}

/** Headers of the thread's own (tracing) added to a prepared request and to its echo, unless the script set them. */
function addHeaders(r: Prepared, headers: Record<string, string>): void {
  const own = r.options.headers ?? {};
  const taken = new Set(Object.keys(own).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(headers)) {
    if (taken.has(k.toLowerCase())) continue;
    own[k] = v;
    r.echo.headers[k] = [v];
  }
  r.options.headers = own;
}

async function send(r: Prepared): Promise<K6Response> {
  // The error's text is made only when there is no context: this runs for every request.
  const ctx = current() ?? required(`http.${r.method.toLowerCase()}()`);
  if (state.requestHeaders) addHeaders(r, state.requestHeaders());
  const res = r.digest
    ? await sendDigest(ctx.http, r, r.digest)
    : await ctx.http.request(r.method, r.url, r.options);
  return new K6Response(res, r.echo, r.responseType);
}

/**
 * A request with digest credentials: sent without them, and once more with the answer to the
 * 401's challenge. The first is expected to be that 401 (unless every status is expected), as in k6.
 */
async function sendDigest(http: K6Http, r: Prepared, credentials: DigestCredentials): Promise<HttpResponse> {
  const first = await http.request(r.method, r.url, {
    ...r.options,
    ...(credentials.everyStatusExpected ? {} : { expected: (status: number) => status === 401 }),
  });
  if (first.status !== 401) return first;
  const challenge = digestChallengeOf(first.headers['www-authenticate']);
  if (challenge === undefined) return first;
  const u = new URL(r.url);
  const authorization = digestAuthorization(
    challenge,
    credentials.user,
    credentials.password,
    r.method,
    u.pathname + u.search,
  );
  return http.request(r.method, r.url, {
    ...r.options,
    headers: { ...r.options.headers, Authorization: authorization },
  });
}

export function request(
  method: string,
  url: string | TemplatedUrl,
  body?: Body,
  params?: Params,
): Promise<K6Response> {
  return send(prepare(String(method).toUpperCase(), url, body, params));
}
export const get = (url: string | TemplatedUrl, params?: Params) => request('GET', url, null, params);
export const head = (url: string | TemplatedUrl, params?: Params) => request('HEAD', url, null, params);
export const post = (url: string | TemplatedUrl, body?: Body, params?: Params) =>
  request('POST', url, body, params);
export const put = (url: string | TemplatedUrl, body?: Body, params?: Params) =>
  request('PUT', url, body, params);
export const patch = (url: string | TemplatedUrl, body?: Body, params?: Params) =>
  request('PATCH', url, body, params);
export const del = (url: string | TemplatedUrl, body?: Body, params?: Params) =>
  request('DELETE', url, body, params);
export const options = (url: string | TemplatedUrl, body?: Body, params?: Params) =>
  request('OPTIONS', url, body, params);

type BatchItem =
  | string
  | TemplatedUrl
  | unknown[]
  | { method?: string; url: string; body?: Body; params?: Params };

function batchItem(item: BatchItem): Prepared {
  if (typeof item === 'string' || item instanceof TemplatedUrl) return prepare('GET', item, null, undefined);
  if (Array.isArray(item)) {
    const [method, url, body, params] = item as [string, string, Body, Params];
    return prepare(String(method).toUpperCase(), url, body, params);
  }
  if (item && typeof item === 'object')
    return prepare(String(item.method ?? 'GET').toUpperCase(), item.url, item.body, item.params);
  throw new TypeError(
    'http.batch: each request is a URL, [method, url, body, params] or { method, url, body, params }',
  );
}

/**
 * Parallel requests (within options.batch and batchPerHost, see batch-waves.ts): a list gives a
 * list of responses, an object of named requests an object.
 */
export async function batch(requests: BatchItem[] | Record<string, BatchItem>): Promise<unknown> {
  const ctx = required('http.batch()');
  const named = !Array.isArray(requests);
  const keys = named ? Object.keys(requests) : [];
  const items = named ? keys.map((k) => (requests as Record<string, BatchItem>)[k] as BatchItem) : requests;
  const prepared = items.map(batchItem);
  if (state.requestHeaders) for (const p of prepared) addHeaders(p, state.requestHeaders());
  const responses: HttpResponse[] = new Array(prepared.length);
  for (const wave of batchWaves(
    prepared.map((p) => p.url),
    state.batchLimits,
  )) {
    // Digest requests answer their challenge on their own, beside the wave's others.
    const plain = wave.filter((i) => !(prepared[i] as Prepared).digest);
    const [answers] = await Promise.all([
      ctx.http.batch(
        plain.map((i) => {
          const p = prepared[i] as Prepared;
          return { method: p.method, url: p.url, ...p.options };
        }),
      ),
      ...wave
        .filter((i) => (prepared[i] as Prepared).digest)
        .map(async (i) => {
          const p = prepared[i] as Prepared;
          responses[i] = await sendDigest(ctx.http, p, p.digest as DigestCredentials);
        }),
    ]);
    plain.forEach((i, k) => {
      responses[i] = answers[k] as HttpResponse;
    });
  }
  const out = responses.map(
    (res, i) => new K6Response(res, (prepared[i] as Prepared).echo, (prepared[i] as Prepared).responseType),
  );
  return named ? Object.fromEntries(keys.map((k, i) => [k, out[i]])) : out;
}

export const file = (data: unknown, filename?: unknown, contentType?: unknown) =>
  new FileData(data, filename, contentType);
export const expectedStatuses = (...statuses: unknown[]) => new ExpectedStatuses(statuses);
export { CookieJar, cookieJar, setResponseCallback };

export default {
  request,
  get,
  head,
  post,
  put,
  patch,
  del,
  options,
  batch,
  url,
  file,
  cookieJar,
  CookieJar,
  expectedStatuses,
  setResponseCallback,
};
