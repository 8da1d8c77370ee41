/**
 * What a redirect may carry to the next hop: credentials stay with the origin they were given
 * for. When a hop crosses origins (scheme, host or port differ), `Authorization`,
 * `Proxy-Authorization` and `Cookie` set on the request are dropped, as browsers and k6 do; a
 * cookie jar may still add what it holds for the new origin. The engine's redirects
 * (engine/redirects.ts) apply it; Artillery flows follow redirects there too.
 */

/** Request headers that hold credentials, lower-cased. */
export const CREDENTIAL_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie'];

/** Whether two absolute URLs share an origin: scheme, host and port. */
export function sameOrigin(a: string | URL, b: string | URL): boolean {
  return new URL(a).origin === new URL(b).origin;
}

/** A copy of `headers` without the credential headers, whatever the case of their names. */
export function withoutCredentials(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in headers) if (!CREDENTIAL_HEADERS.includes(k.toLowerCase())) out[k] = headers[k] as string;
  return out;
}
