/**
 * The HTTP client of setup() and teardown(), which run once on the main thread without a VU:
 * Node's fetch, with the same response shape as a VU's (these requests are not measured). A
 * body is kept up to the default cap of a VU's (64 MiB; BODY_TOO_LARGE past it), or read and
 * dropped with `discardBody`.
 */
import { parseDurationMs } from '../duration.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../http-protocol-options.ts';
import type { HttpResponse, RequestOptions } from '../types.ts';
import type { K6Http } from './context.ts';

const DEFAULT_TIMEOUT_MS = 60_000;

/** Thrown when a body passes the cap; the request then fails with its code. */
class BodyTooLarge extends Error {
  readonly code = 'BODY_TOO_LARGE';
}

/** The body as text, read chunk by chunk: at most `maxBytes` kept, none when discarded. */
async function bodyText(r: Response, maxBytes: number, discard: boolean): Promise<string> {
  if (r.body === null) return '';
  const chunks: Uint8Array[] = [];
  let kept = 0;
  for await (const chunk of r.body) {
    if (discard) continue;
    kept += chunk.byteLength;
    if (kept > maxBytes) {
      await r.body.cancel().catch(() => {});
      throw new BodyTooLarge(`response body over ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function send(method: string, url: string, options: RequestOptions = {}): Promise<HttpResponse> {
  const started = performance.now();
  const timeoutMs = parseDurationMs(options.timeout ?? '') ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = { ...options.headers };
  const redirects = (options as { redirects?: number }).redirects;
  try {
    const r = await fetch(url, {
      method,
      headers,
      ...(options.body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body: options.body } : {}),
      redirect: redirects === 0 ? 'manual' : 'follow',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await bodyText(r, DEFAULT_MAX_BODY_BYTES, options.discardBody === true);
    const out: Record<string, string> = {};
    r.headers.forEach((v, k) => {
      out[k] = v;
    });
    return {
      status: r.status,
      headers: out,
      setCookies: r.headers.getSetCookie(),
      body: text,
      text,
      ok: r.status >= 200 && r.status < 400,
      latencyMs: performance.now() - started,
      url: r.url || url,
      proto: 'HTTP/1.1',
    };
  } catch (e) {
    const cause = (e as { cause?: { code?: unknown; errors?: { code?: unknown }[] } }).cause;
    const causeCode = cause?.code ?? cause?.errors?.[0]?.code;
    const code =
      (e as Error).name === 'TimeoutError'
        ? 'ETIMEDOUT'
        : e instanceof BodyTooLarge
          ? e.code
          : typeof causeCode === 'string'
            ? causeCode
            : 'EUNKNOWN';
    return {
      status: 0,
      headers: {},
      body: '',
      text: '',
      ok: false,
      error: code,
      latencyMs: performance.now() - started,
      url,
      proto: '',
    };
  }
}

export const standaloneHttp: K6Http = {
  request: (method, url, options) => send(method, url, options),
  batch: (requests) => Promise.all(requests.map((r) => send(r.method, r.url, r))),
};
