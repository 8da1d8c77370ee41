/**
 * Where a redirect leads, by one of two rules (`RequestOptions.redirectRule`):
 *
 * - `standard`, as browsers and k6 follow one: 301, 302, 303, 307 and 308 with a `Location`.
 *   303 turns any method but HEAD into a GET without a body, and so do 301 and 302 for a POST;
 *   307 and 308 keep the method and the body. Other statuses (300, 304) are answers.
 * - `artillery`, as Artillery flows have always followed them here: any 3xx with a `Location`;
 *   all but 307 and 308 turn the method into a GET without a body (a HEAD stays a HEAD). Once a
 *   hop has left the request's origin, no later hop carries cookies, not even the jar's.
 */

import { withoutCredentials } from '../plan/redirect-credentials.ts';
import type { RedirectRuleName } from '../plan/types.ts';

/** What a rule decides: which answers are followed, which hops become a GET, where cookies go. */
export interface RedirectRule {
  /** Whether an answer with this status (and a `Location`) is followed. */
  follows(status: number): boolean;
  /** The method of the next hop, and whether it keeps the body. */
  hopMethod(status: number, method: string): { method: string; keepBody: boolean };
  /** True when, once a hop has left the request's origin, no later hop carries any cookie. */
  cookiesStayHome: boolean;
}

const STANDARD: RedirectRule = {
  follows: (status) => status === 301 || status === 302 || status === 303 || status === 307 || status === 308,
  hopMethod: (status, method) =>
    (status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')
      ? { method: 'GET', keepBody: false }
      : { method, keepBody: true },
  cookiesStayHome: false,
};

const ARTILLERY: RedirectRule = {
  follows: (status) => status >= 300 && status < 400,
  hopMethod: (status, method) =>
    status === 307 || status === 308
      ? { method, keepBody: true }
      : { method: method === 'HEAD' ? 'HEAD' : 'GET', keepBody: false },
  cookiesStayHome: true,
};

const RULES: Record<RedirectRuleName, RedirectRule> = { standard: STANDARD, artillery: ARTILLERY };

/** A request's `redirectRule`, checked: `standard` when it names none. */
export function redirectRuleOf(name: unknown): RedirectRule {
  if (name === undefined) return STANDARD;
  const rule = typeof name === 'string' ? RULES[name as RedirectRuleName] : undefined;
  if (rule === undefined)
    throw new TypeError(`redirectRule: expected ${Object.keys(RULES).join(' or ')}, got ${String(name)}`);
  return rule;
}

/** How many redirects a request follows unless the plan or the request says otherwise (k6's default). */
export const DEFAULT_REDIRECTS = 10;

/** A request's own `redirects`, checked: a flow that passes something else gets an error, not a loop. */
export function redirectLimit(n: unknown): number {
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0) return n;
  throw new TypeError(`redirects: expected an integer from 0 (keep the 3xx), got ${String(n)}`);
}

export interface NextHop {
  url: URL;
  method: string;
  /** False when the body (and its content headers) is dropped. */
  keepBody: boolean;
}

/** The next request after a response with `status` and `location` to `current`, or undefined. */
export function nextHop(
  status: number,
  location: string | undefined,
  method: string,
  current: URL,
  rule: RedirectRule = STANDARD,
): NextHop | undefined {
  if (location === undefined || location === '') return undefined;
  if (!rule.follows(status)) return undefined;
  let url: URL;
  try {
    url = new URL(location, current);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  return { url, ...rule.hopMethod(status, method) };
}

/**
 * The headers of the next hop: without the body's headers when the body is dropped, and without
 * credentials (`authorization`, `proxy-authorization`, a `cookie` set by hand) when it leaves the
 * origin (../plan/redirect-credentials.ts).
 */
export function hopHeaders(
  headers: Record<string, string>,
  hop: NextHop,
  sameOrigin: boolean,
): Record<string, string> {
  const out = sameOrigin ? { ...headers } : withoutCredentials(headers);
  if (!hop.keepBody) {
    delete out['content-type'];
    delete out['content-length'];
  }
  return out;
}

/** The `Location` header of a response, as received (alternating names and values). */
export function locationOf(rawHeaders: readonly Buffer[]): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as Buffer;
    if (
      name.length === 8 &&
      ((name[0] as number) | 0x20) === 0x6c /* l */ &&
      name.toString('latin1').toLowerCase() === 'location'
    )
      return (rawHeaders[i + 1] as Buffer).toString('latin1');
  }
  return undefined;
}
