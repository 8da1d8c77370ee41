/**
 * A VU's cookie jar, RFC 6265's storage model kept small: `Set-Cookie` name/value with Domain,
 * Path, Expires, Max-Age and Secure; a cookie without Domain is host-only (sent back to that host
 * only), one with Domain goes to the domain and its subdomains. A Domain the answering host is not
 * inside is refused, as browsers do; public suffixes are not checked (a load test talks to its
 * own systems). Expiry is wall-clock time. HttpOnly and SameSite do not apply to a load generator
 * and are ignored.
 */
import type { CookieOptions } from '../plan/types.ts';

interface StoredCookie {
  name: string;
  value: string;
  /** Lower case, without a leading dot. */
  domain: string;
  hostOnly: boolean;
  path: string;
  secure: boolean;
  /** Epoch ms; Infinity for a session cookie. */
  expiresAt: number;
  created: number;
}

/** Where a request goes, as the jar needs it. */
export interface CookieTarget {
  hostname: string;
  /** The path without the query. */
  pathname: string;
  secure: boolean;
}

/** The target of an absolute URL. */
export function cookieTargetOf(url: URL): CookieTarget {
  return { hostname: url.hostname, pathname: url.pathname, secure: url.protocol === 'https:' };
}

const SET_COOKIE = 'set-cookie';

/** The values of the `Set-Cookie` headers of a response, as received (alternating names and values). */
export function setCookieValues(rawHeaders: readonly Buffer[]): string[] | undefined {
  let out: string[] | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as Buffer;
    // Length and first letter first: most headers are passed over without a string made of them.
    if (name.length !== SET_COOKIE.length || ((name[0] as number) | 0x20) !== 0x73 /* s */) continue;
    if (name.toString('latin1').toLowerCase() !== SET_COOKIE) continue;
    const value = (rawHeaders[i + 1] as Buffer).toString('latin1');
    if (out === undefined) out = [value];
    else out.push(value);
  }
  return out;
}

function isIpAddress(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':') || host.startsWith('[');
}

/** RFC 6265 5.1.3: the host is the domain or inside it (never for an IP address). */
function domainMatches(host: string, domain: string): boolean {
  if (host === domain) return true;
  return !isIpAddress(host) && host.endsWith(`.${domain}`);
}

/** RFC 6265 5.1.4: the request path is the cookie path or below it. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charCodeAt(cookiePath.length) === 47;
}

/** RFC 6265 5.1.4: the directory of the request path, the path of a cookie that names none. */
function defaultPath(requestPath: string): string {
  if (!requestPath.startsWith('/')) return '/';
  const last = requestPath.lastIndexOf('/');
  return last <= 0 ? '/' : requestPath.slice(0, last);
}

let creations = 0;

export class CookieJar {
  private cookies: StoredCookie[] = [];

  /** How many cookies it holds (expired ones included until next looked at). */
  get size(): number {
    return this.cookies.length;
  }

  /** Stores the cookies of a response's `Set-Cookie` headers, received from `target`. */
  receive(target: CookieTarget, setCookies: readonly string[], now = Date.now()): void {
    for (const header of setCookies) this.receiveOne(target, header, now);
  }

  private receiveOne(target: CookieTarget, header: string, now: number): void {
    const parts = header.split(';');
    const pair = parts[0] as string;
    const eq = pair.indexOf('=');
    if (eq < 0) return;
    const name = pair.slice(0, eq).trim();
    if (name === '') return;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    const options: CookieOptions = {};
    let maxAgeSeen = false;
    for (let i = 1; i < parts.length; i++) {
      const attr = parts[i] as string;
      const aeq = attr.indexOf('=');
      const key = (aeq < 0 ? attr : attr.slice(0, aeq)).trim().toLowerCase();
      const v = aeq < 0 ? '' : attr.slice(aeq + 1).trim();
      if (key === 'domain' && v !== '') options.domain = v;
      else if (key === 'path') options.path = v.startsWith('/') ? v : undefined;
      else if (key === 'secure') options.secure = true;
      else if (key === 'max-age' && /^-?\d+$/.test(v)) {
        options.maxAge = Number(v);
        maxAgeSeen = true;
      } else if (key === 'expires' && !maxAgeSeen) {
        const t = Date.parse(v);
        if (!Number.isNaN(t)) options.expires = t;
      }
    }
    if (maxAgeSeen) delete options.expires;
    this.store(target, name, value, options, now);
  }

  /**
   * Stores one cookie as if `target` had set it; false when refused (a Domain the host is not
   * inside).
   */
  store(
    target: CookieTarget,
    name: string,
    value: string,
    options: CookieOptions = {},
    now = Date.now(),
  ): boolean {
    const host = target.hostname.toLowerCase();
    let domain = host;
    let hostOnly = true;
    if (options.domain !== undefined) {
      const d = options.domain.toLowerCase().replace(/^\./, '');
      if (!domainMatches(host, d)) return false;
      domain = d;
      hostOnly = false;
    }
    const path = options.path ?? defaultPath(target.pathname);
    let expiresAt = Number.POSITIVE_INFINITY;
    if (options.maxAge !== undefined) expiresAt = options.maxAge <= 0 ? 0 : now + options.maxAge * 1000;
    else if (options.expires !== undefined)
      expiresAt = typeof options.expires === 'number' ? options.expires : options.expires.getTime();
    const i = this.cookies.findIndex((c) => c.name === name && c.domain === domain && c.path === path);
    const created = i >= 0 ? (this.cookies[i] as StoredCookie).created : ++creations;
    if (i >= 0) this.cookies.splice(i, 1);
    if (expiresAt <= now) return true;
    this.cookies.push({
      name,
      value,
      domain,
      hostOnly,
      path,
      secure: options.secure === true,
      expiresAt,
      created,
    });
    return true;
  }

  /** The cookies that go to `target`, longest path first, then oldest first (RFC 6265 5.4). */
  private matching(target: CookieTarget, now: number): StoredCookie[] {
    const host = target.hostname.toLowerCase();
    const out: StoredCookie[] = [];
    let expired = false;
    for (const c of this.cookies) {
      if (c.expiresAt <= now) {
        expired = true;
        continue;
      }
      if (c.hostOnly ? host !== c.domain : !domainMatches(host, c.domain)) continue;
      if (!pathMatches(target.pathname, c.path)) continue;
      if (c.secure && !target.secure) continue;
      out.push(c);
    }
    if (expired) this.cookies = this.cookies.filter((c) => c.expiresAt > now);
    return out.sort((a, b) => b.path.length - a.path.length || a.created - b.created);
  }

  /** The `Cookie` header value for a request to `target`, or undefined when no cookie goes. */
  header(target: CookieTarget, now = Date.now()): string | undefined {
    if (this.cookies.length === 0) return undefined;
    const list = this.matching(target, now);
    if (list.length === 0) return undefined;
    return list.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  /** Name → value of the cookies that go to `target` (the first by RFC 6265 order when a name repeats). */
  values(target: CookieTarget, now = Date.now()): Record<string, string> {
    const out: Record<string, string> = {};
    for (const c of this.matching(target, now)) if (!(c.name in out)) out[c.name] = c.value;
    return out;
  }

  /** Name → every value that goes to `target` under that name, in RFC 6265 order. */
  allValues(target: CookieTarget, now = Date.now()): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.matching(target, now)) {
      const list = out[c.name];
      if (list) list.push(c.value);
      else out[c.name] = [c.value];
    }
    return out;
  }

  /** Forgets the cookies named `name` that would go to `target`. */
  remove(target: CookieTarget, name: string, now = Date.now()): void {
    const gone = new Set(this.matching(target, now).filter((c) => c.name === name));
    if (gone.size) this.cookies = this.cookies.filter((c) => !gone.has(c));
  }

  /** Forgets every cookie, or those that would go to `target`. */
  clear(target?: CookieTarget, now = Date.now()): void {
    if (target === undefined) {
      this.cookies = [];
      return;
    }
    const gone = new Set(this.matching(target, now));
    this.cookies = this.cookies.filter((c) => !gone.has(c));
  }
}
