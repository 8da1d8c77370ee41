/**
 * k6/http's Response over loadproof's: k6's field names, header names in canonical case,
 * `json(selector)` with dotted paths, `timings`, `error` and k6's numeric `error_code`.
 */
import type { HttpResponse } from '../types.ts';
import { arrayBufferOf } from './bytes.ts';
import { type K6Cookie, responseCookies } from './cookies.ts';
import { parseHTML, type Selection } from './html-selection.ts';
import { type K6Ocsp, NO_TLS_OCSP, ocspOf } from './ocsp.ts';

/** k6's numeric codes for the failures loadproof's client reports (see src/engine/errors.ts). */
const ERROR_CODES: Record<string, number> = {
  ETIMEDOUT: 1050,
  ENOTFOUND: 1101,
  EAI_AGAIN: 1100,
  EPIPE: 1201,
  ECONNREFUSED: 1212,
  ECONNRESET: 1220,
  EINVALIDREQUEST: 1020,
  EPROTO: 1000,
  ABORTED: 1000,
};

export function errorCodeOf(error: string | undefined, status: number): number {
  if (error) return ERROR_CODES[error] ?? 1000;
  // k6 gives HTTP errors the codes 1400-1599: 1000 + the status.
  if (status >= 400 && status < 600) return 1000 + status;
  return 0;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Where a redirect the request did not follow leads, or `url` without a usable Location. */
function unfollowedTarget(res: HttpResponse, url: string): string {
  const location = res.headers.location;
  if (location === undefined || location === '') return url;
  try {
    return new URL(location, url).href;
  } catch {
    return url;
  }
}

/** Whether `answered` (as the engine writes it) is the URL the script wrote: kept as written then. */
function sameUrl(answered: string, written: string): boolean {
  if (answered === written) return true;
  try {
    return new URL(written).href === answered;
  } catch {
    return false;
  }
}

/** Header names already made canonical: the same few names come back on every response. */
const canonicalNames = new Map<string, string>();
/** Names beyond this many are converted each time, so odd names cannot grow the map without end. */
const MAX_CANONICAL_NAMES = 1024;

/** `content-type` → `Content-Type`, as Go's net/http shows header names. */
function canonical(name: string): string {
  let shown = canonicalNames.get(name);
  if (shown === undefined) {
    shown = name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
    if (canonicalNames.size < MAX_CANONICAL_NAMES) canonicalNames.set(name, shown);
  }
  return shown;
}

/**
 * A gjson-like selector for plain paths: `items.0.id`, `items.#` (the length), `a\.b` for a key
 * with a dot. Anything else (queries, modifiers) is not supported and says so.
 */
export function select(value: unknown, selector: string): unknown {
  if (/[*?@|!]/.test(selector) || selector.includes('#(')) {
    throw new Error(`Response.json("${selector}"): only plain paths (a.b.0.c, a.#) are supported`);
  }
  const parts = selector.split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, '.'));
  let v: unknown = value;
  for (const p of parts) {
    if (v === null || typeof v !== 'object') return undefined;
    if (p === '#' && Array.isArray(v)) {
      v = v.length;
      continue;
    }
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

export type ResponseType = 'text' | 'binary' | 'none';

export interface RequestEcho {
  method: string;
  url: string;
  body: string;
  headers: Record<string, string[]>;
}

type K6Timings = {
  duration: number;
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
};

/**
 * A k6 Response over loadproof's. Headers, body and timings are made when the script first reads
 * them: most scripts read only the status, and making them for every response was most of the
 * k6 layer's cost per request.
 */
export class K6Response {
  readonly status: number;
  readonly status_text: string;
  readonly url: string;
  readonly error: string;
  readonly error_code: number;
  /** The protocol that answered: 'HTTP/1.1' or 'HTTP/2.0'. */
  readonly proto: string;
  readonly request: RequestEcho;
  /** The server's end of the connection; '' and 0 when none answered. */
  readonly remote_ip: string;
  readonly remote_port: number;
  /** On https: the TLS version and cipher suite agreed (`tls1.3`, `TLS_AES_128_GCM_SHA256`); '' else. */
  readonly tls_version: string;
  readonly tls_cipher_suite: string;
  private madeOcsp?: K6Ocsp;
  private parsed?: { value: unknown };
  private parsedCookies?: Record<string, K6Cookie[]>;
  private madeHeaders?: Record<string, string>;
  private madeBody?: { value: string | ArrayBuffer | null };
  private madeTimings?: K6Timings;

  constructor(
    private readonly res: HttpResponse,
    request: RequestEcho,
    private readonly responseType: ResponseType,
  ) {
    this.status = res.status;
    this.status_text = res.status ? String(res.status) : '';
    // After redirects, the URL that answered; the request's own when none answered.
    this.url = res.status === 0 || sameUrl(res.url, request.url) ? request.url : res.url;
    // As k6 (Go's client): a redirect left unfollowed at the limit shows the URL it leads to.
    if (REDIRECTS.has(res.status)) this.url = unfollowedTarget(res, this.url);
    this.proto = res.proto;
    this.request = request;
    this.error = res.error ?? '';
    this.error_code = errorCodeOf(res.error, res.status);
    this.remote_ip = res.remoteAddress ?? '';
    this.remote_port = res.remotePort ?? 0;
    this.tls_version = res.tls?.version ?? '';
    this.tls_cipher_suite = res.tls?.cipherSuite ?? '';
  }

  /** The status of the server's certificate from the OCSP response it stapled (ocsp.ts). */
  get ocsp(): K6Ocsp {
    this.madeOcsp ??= this.res.tls ? ocspOf(this.res.tls.ocspResponse) : { ...NO_TLS_OCSP };
    return this.madeOcsp;
  }

  /** Header name (canonical, as k6 gives it) → value. */
  get headers(): Record<string, string> {
    if (!this.madeHeaders) {
      const headers: Record<string, string> = {};
      const own = this.res.headers;
      for (const k in own) headers[canonical(k)] = own[k] as string;
      this.madeHeaders = headers;
    }
    return this.madeHeaders;
  }
  set headers(value: Record<string, string>) {
    this.madeHeaders = value;
  }

  get body(): string | ArrayBuffer | null {
    if (!this.madeBody) {
      const res = this.res;
      let value: string | ArrayBuffer | null;
      if (this.responseType === 'none') value = null;
      else if (this.responseType === 'binary') value = arrayBufferOf(Buffer.from(res.text, 'utf8'));
      else value = res.error ? null : res.text;
      this.madeBody = { value };
    }
    return this.madeBody.value;
  }
  set body(value: string | ArrayBuffer | null) {
    this.madeBody = { value };
    this.parsed = undefined;
  }

  get timings(): K6Timings {
    if (!this.madeTimings) {
      // The request is written in one go (sending 0). Opening a connection is timed for the
      // request that opened it, apart from blocked, as k6 times it.
      const phases = this.res.phases;
      const connecting = phases?.connecting ?? 0;
      const tlsHandshaking = phases?.tlsHandshaking ?? 0;
      this.madeTimings = {
        duration: this.res.latencyMs,
        blocked: Math.max(0, (phases?.blocked ?? 0) - connecting - tlsHandshaking),
        connecting,
        tls_handshaking: tlsHandshaking,
        sending: 0,
        waiting: phases?.waiting ?? 0,
        receiving: phases?.receiving ?? 0,
      };
    }
    return this.madeTimings;
  }

  /** Every field, the ones made when read included (for JSON.stringify(res), as in k6). */
  toJSON() {
    return {
      status: this.status,
      status_text: this.status_text,
      url: this.url,
      proto: this.proto,
      headers: this.headers,
      body: this.body,
      timings: this.timings,
      cookies: this.cookies,
      error: this.error,
      error_code: this.error_code,
      remote_ip: this.remote_ip,
      remote_port: this.remote_port,
      tls_version: this.tls_version,
      tls_cipher_suite: this.tls_cipher_suite,
      ocsp: this.ocsp,
      request: this.request,
    };
  }

  /** Name → the cookies this response set (its `Set-Cookie` headers), k6's fields. */
  get cookies(): Record<string, K6Cookie[]> {
    this.parsedCookies ??= responseCookies(this.res.setCookies);
    return this.parsedCookies;
  }

  /** The body parsed as JSON, or the value at `selector` in it. */
  json(selector?: string): unknown {
    if (typeof this.body !== 'string') throw new Error('Response.json(): the response has no text body');
    this.parsed ??= { value: JSON.parse(this.body) };
    return selector === undefined ? this.parsed.value : select(this.parsed.value, selector);
  }

  /** The body as a k6/html Selection of the document, or of what `selector` finds in it. */
  html(selector?: string): Selection {
    if (typeof this.body !== 'string') throw new Error('Response.html(): the response has no text body');
    const doc = parseHTML(this.body);
    return selector === undefined ? doc : doc.find(selector);
  }
}
