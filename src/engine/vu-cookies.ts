/** `vu.http.cookies`: a flow's view of its VU's cookie jar, URLs resolved as requests resolve them. */
import type { CookieOptions, VuCookies } from '../plan/types.ts';
import { type CookieJar, cookieTargetOf } from './cookie-jar.ts';

export function vuCookies(jar: CookieJar, resolve: (url: string) => URL): VuCookies {
  const target = (what: string, url: unknown) => {
    if (typeof url !== 'string')
      throw new TypeError(`vu.http.cookies.${what}: expected a URL, got ${typeof url}`);
    return cookieTargetOf(resolve(url));
  };
  return {
    get: (url) => jar.values(target('get', url)),
    set: (url, name, value, options?: CookieOptions) => {
      if (typeof name !== 'string' || name === '' || /[=;\s]/.test(name))
        throw new TypeError(`vu.http.cookies.set: not a cookie name: ${JSON.stringify(name)}`);
      const t = target('set', url);
      if (!jar.store(t, name, String(value), { path: '/', ...options }))
        throw new TypeError(`vu.http.cookies.set: domain "${options?.domain}" does not cover ${t.hostname}`);
    },
    clear: (url) => jar.clear(url === undefined ? undefined : target('clear', url)),
  };
}
