/**
 * k6's `params.auth: 'digest'` (RFC 7616, as k6 answers it through Go's client): the request goes
 * first without credentials; a 401 with a `WWW-Authenticate: Digest` challenge is answered by the
 * same request again with an `Authorization: Digest` header (MD5 or MD5-sess, qop `auth` when the
 * server offers it, else the RFC 2069 form). Both requests are sent, measured and counted, and
 * the first is expected to be the 401, as in k6.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm: 'MD5' | 'MD5-sess';
  /** Whether the server offers qop=auth. */
  qopAuth: boolean;
}

/** The Digest challenge among a `WWW-Authenticate` header's, or undefined without one. */
export function digestChallengeOf(header: string | undefined): DigestChallenge | undefined {
  if (header === undefined) return undefined;
  const at = /(?:^|,)\s*Digest\s+/i.exec(header);
  if (at === null) return undefined;
  const params: Record<string, string> = {};
  // name=value or name="value", comma-separated; anything else (another scheme) ends them.
  const param = /\s*,?\s*([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))/iy;
  param.lastIndex = at.index + at[0].length;
  for (let m = param.exec(header); m !== null; m = param.exec(header))
    params[(m[1] as string).toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  if (params.nonce === undefined) return undefined;
  const algorithm = (params.algorithm ?? 'MD5').toUpperCase();
  if (algorithm !== 'MD5' && algorithm !== 'MD5-SESS')
    throw new Error(`k6/http: digest auth: the server asks for ${params.algorithm}; only MD5 is supported`);
  const qops = (params.qop ?? '').split(',').map((q) => q.trim().toLowerCase());
  if (params.qop !== undefined && !qops.includes('auth'))
    throw new Error(`k6/http: digest auth: the server offers qop "${params.qop}"; only "auth" is supported`);
  return {
    realm: params.realm ?? '',
    nonce: params.nonce,
    ...(params.opaque !== undefined ? { opaque: params.opaque } : {}),
    algorithm: algorithm === 'MD5' ? 'MD5' : 'MD5-sess',
    qopAuth: qops.includes('auth'),
  };
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/** The `Authorization` header answering `challenge` for `method` on `uri` (path and query). */
export function digestAuthorization(
  challenge: DigestChallenge,
  user: string,
  password: string,
  method: string,
  uri: string,
  cnonce: string = randomBytes(8).toString('hex'),
): string {
  const nc = '00000001';
  let ha1 = md5(`${user}:${challenge.realm}:${password}`);
  if (challenge.algorithm === 'MD5-sess') ha1 = md5(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = md5(`${method}:${uri}`);
  const response = challenge.qopAuth
    ? md5(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`)
    : md5(`${ha1}:${challenge.nonce}:${ha2}`);
  const quoted = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  const parts = [
    `username=${quoted(user)}`,
    `realm=${quoted(challenge.realm)}`,
    `nonce=${quoted(challenge.nonce)}`,
    `uri=${quoted(uri)}`,
    `algorithm=${challenge.algorithm}`,
    `response=${quoted(response)}`,
  ];
  if (challenge.opaque !== undefined) parts.push(`opaque=${quoted(challenge.opaque)}`);
  if (challenge.qopAuth) parts.push('qop=auth', `nc=${nc}`, `cnonce=${quoted(cnonce)}`);
  return `Digest ${parts.join(', ')}`;
}
