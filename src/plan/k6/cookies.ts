/**
 * k6's cookies over the VU's: `http.cookieJar()` (the VU's jar), `new http.CookieJar()` (a jar of
 * its own, for `params.jar`), and `response.cookies` (the `Set-Cookie` headers of a response,
 * k6's shape).
 */
import type { CookieOptions, VuCookies } from '../types.ts';
import { current } from './context.ts';

/** k6's `set()` options: snake case, `expires` a date string, `max_age` in seconds. */
interface K6CookieOptions {
  domain?: string;
  path?: string;
  expires?: string | number;
  max_age?: number;
  secure?: boolean;
  http_only?: boolean;
}

function optionsOf(o: K6CookieOptions | undefined): CookieOptions {
  const out: CookieOptions = {};
  if (!o) return out;
  if (o.domain !== undefined) out.domain = String(o.domain);
  if (o.path !== undefined) out.path = String(o.path);
  if (o.max_age !== undefined) out.maxAge = Number(o.max_age);
  if (o.expires !== undefined) {
    const at = typeof o.expires === 'number' ? o.expires : Date.parse(o.expires);
    if (Number.isNaN(at)) throw new TypeError(`CookieJar.set: expires is not a date: ${o.expires}`);
    out.expires = at;
  }
  if (o.secure) out.secure = true;
  return out;
}

/** RFC 6265's domain match: the URL's host is the domain or under it (an IP address only itself). */
function domainCovers(url: string, domain: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return true; // the jar's own check names the bad URL
  }
  const d = domain.toLowerCase().replace(/^\./, '');
  if (host === d) return true;
  const ip = /^[\d.]+$/.test(host) || host.startsWith('[');
  return !ip && host.endsWith(`.${d}`);
}

function vuHttpOf(what: string) {
  const vu = current()?.vu;
  if (!vu)
    throw new Error(
      `${what}: cookie jars are only available in VU code (setup() and teardown() requests keep no cookies)`,
    );
  return vu.http;
}

/**
 * A k6 CookieJar. `http.cookieJar()` gives one over the VU's jar; `new http.CookieJar()` one of
 * its own, made when first used (in init code there is no VU yet to make it).
 */
export class CookieJar {
  private own: VuCookies | undefined;

  constructor(view?: VuCookies) {
    this.own = view;
  }

  /** The engine's jar behind it, for `params.jar`. */
  view(): VuCookies {
    this.own ??= vuHttpOf('http.CookieJar').newCookieJar();
    return this.own;
  }

  /** Name → the values a request to `url` would carry. */
  cookiesForURL(url: unknown): Record<string, string[]> {
    return this.view().getAll(String(url));
  }

  /** As k6's jar: a cookie whose domain does not cover the URL's host is dropped without a word. */
  set(url: unknown, name: unknown, value: unknown, options?: K6CookieOptions): boolean {
    const o = optionsOf(options);
    if (o.domain !== undefined && !domainCovers(String(url), o.domain)) return true;
    this.view().set(String(url), String(name), String(value), o);
    return true;
  }

  clear(url: unknown): void {
    this.view().clear(String(url));
  }

  delete(url: unknown, name: unknown): void {
    this.view().delete(String(url), String(name));
  }
}

const vuJars = new WeakMap<VuCookies, CookieJar>();

/** `http.cookieJar()`: the VU's own jar (the same object each call), the one its requests use unless given another. */
export function cookieJar(): CookieJar {
  const view = vuHttpOf('http.cookieJar()').cookies;
  let jar = vuJars.get(view);
  if (jar === undefined) {
    jar = new CookieJar(view);
    vuJars.set(view, jar);
  }
  return jar;
}

/** `params.jar`: a k6 CookieJar, as the engine's request option. */
export function jarOption(jar: unknown): VuCookies {
  if (!(jar instanceof CookieJar))
    throw new TypeError('k6/http: params.jar must be a jar from http.cookieJar() or new http.CookieJar()');
  return jar.view();
}

/** One cookie of `response.cookies`, k6's fields. */
export interface K6Cookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  http_only: boolean;
  secure: boolean;
  /** Seconds; 0 without Max-Age, -1 for `Max-Age=0` or less (Go's convention, which k6 shows). */
  max_age: number;
  /** Epoch milliseconds; 0 without Expires. */
  expires: number;
}

function cookieOf(header: string): K6Cookie | undefined {
  const parts = header.split(';');
  const pair = parts[0] as string;
  const eq = pair.indexOf('=');
  if (eq < 0) return undefined;
  const name = pair.slice(0, eq).trim();
  if (name === '') return undefined;
  let value = pair.slice(eq + 1).trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  const c: K6Cookie = {
    name,
    value,
    domain: '',
    path: '',
    http_only: false,
    secure: false,
    max_age: 0,
    expires: 0,
  };
  for (let i = 1; i < parts.length; i++) {
    const attr = parts[i] as string;
    const aeq = attr.indexOf('=');
    const key = (aeq < 0 ? attr : attr.slice(0, aeq)).trim().toLowerCase();
    const v = aeq < 0 ? '' : attr.slice(aeq + 1).trim();
    if (key === 'domain') c.domain = v;
    else if (key === 'path') c.path = v;
    else if (key === 'secure') c.secure = true;
    else if (key === 'httponly') c.http_only = true;
    else if (key === 'max-age' && /^-?\d+$/.test(v)) {
      const secs = Number(v);
      c.max_age = secs <= 0 ? -1 : secs;
    } else if (key === 'expires') {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) c.expires = t;
    }
  }
  return c;
}

/** `response.cookies`: name → the cookies the response set under that name, in header order. */
export function responseCookies(setCookies: readonly string[] | undefined): Record<string, K6Cookie[]> {
  const out: Record<string, K6Cookie[]> = {};
  for (const header of setCookies ?? []) {
    const c = cookieOf(header);
    if (!c) continue;
    const list = out[c.name];
    if (list) list.push(c);
    else out[c.name] = [c];
  }
  return out;
}
