/**
 * k6's `params.auth` and credentials in a URL (`http://user:pass@host/`): sent as a Basic
 * `Authorization` header, as k6 sends them, and taken out of the URL the request goes to, is
 * named by and shows. With `auth: 'digest'` they answer the server's challenge instead
 * (digest-auth.ts); `ntlm` is not supported.
 */

export interface Credentials {
  /** The URL without its user and password. */
  url: string;
  /** `Basic ...`, when the URL held a user (and auth is not digest). */
  authorization?: string;
  /** With `auth: 'digest'`: the user and password that answer the server's challenge. */
  digest?: { user: string; password: string };
}

const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i;

/** A URL, or a template of one, without the `user:pass@` part. */
export function withoutCredentials(url: string): string {
  return url.replace(USERINFO, '$1');
}

export function credentialsOf(href: string, auth: unknown): Credentials {
  if (auth !== undefined && auth !== null && auth !== 'basic' && auth !== 'digest') {
    if (auth === 'ntlm')
      throw new Error(
        'k6/http: params.auth "ntlm" is not supported by loadproof (only "basic" and "digest")',
      );
    throw new Error(`k6/http: params.auth must be "basic", "digest" or "ntlm", got ${JSON.stringify(auth)}`);
  }
  if (!USERINFO.test(href)) return { url: href };
  let u: URL;
  try {
    u = new URL(href);
  } catch {
    return { url: href };
  }
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  const url = withoutCredentials(href);
  if (user === '' && password === '') return { url };
  if (auth === 'digest') return { url, digest: { user, password } };
  return { url, authorization: `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}` };
}
