/** `vu.http.cookies`: a flow's view of a cookie jar, URLs resolved as requests resolve them. */
import type { CookieOptions, VuCookies } from '../plan/types.ts';
import { type CookieJar, cookieTargetOf } from './cookie-jar.ts';

/** The jar behind each view, so that a request given a view (`RequestOptions.jar`) finds its jar. */
const jars = new WeakMap<VuCookies, CookieJar>();

/** The jar a view made by `vuCookies` stands for; undefined for any other object. */
export function jarBehind(view: VuCookies): CookieJar | undefined {
  return jars.get(view);
}

export function vuCookies(jar: CookieJar, resolve: (url: string) => URL): VuCookies {
  const target = (what: string, url: unknown) => {
    if (typeof url !== 'string')
      throw new TypeError(`vu.http.cookies.${what}: expected a URL, got ${typeof url}`);
    return cookieTargetOf(resolve(url));
  };
  const view: VuCookies = {
    get: (url) => jar.values(target('get', url)),
    getAll: (url) => jar.allValues(target('getAll', url)),
    set: (url, name, value, options?: CookieOptions) => {
      if (typeof name !== 'string' || name === '' || /[=;\s]/.test(name))
        throw new TypeError(`vu.http.cookies.set: not a cookie name: ${JSON.stringify(name)}`);
      const t = target('set', url);
      if (!jar.store(t, name, String(value), { path: '/', ...options }))
        throw new TypeError(`vu.http.cookies.set: domain "${options?.domain}" does not cover ${t.hostname}`);
    },
    clear: (url) => jar.clear(url === undefined ? undefined : target('clear', url)),
    delete: (url, name) => jar.remove(target('delete', url), String(name)),
  };
  jars.set(view, jar);
  return view;
}
