/**
 * Bearer JWTs for the services: HS256 only (`alg: none` and every other algorithm are refused),
 * an expiry required. Verified tokens are cached (bounded) until they expire, since every
 * request of a load test carries one of a few tokens. Each service turns the payload into its
 * own principal with `parse`, which throws AuthError for a payload it does not accept.
 */
import { type JWTPayload, jwtVerify, SignJWT } from 'jose';

export class AuthError extends Error {}

const CACHE_LIMIT = 10_000;
// The scheme name is case-insensitive (RFC 9110, section 11.1).
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

export async function signHs256(
  secret: Uint8Array,
  subject: string,
  claims: Record<string, unknown>,
  expiresIn: string,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(secret);
}

export class BearerVerifier<P extends { exp: number }> {
  private readonly cache = new Map<string, P>();

  constructor(
    private readonly secret: Uint8Array,
    private readonly parse: (payload: JWTPayload & { exp: number }) => P,
  ) {}

  async verify(header: string | undefined): Promise<P> {
    if (!header) throw new AuthError('missing bearer token');
    const m = BEARER.exec(header);
    if (!m) throw new AuthError('malformed bearer token');
    const token = m[1] as string;
    const now = Math.floor(Date.now() / 1000);
    const hit = this.cache.get(token);
    if (hit) {
      if (hit.exp > now) return hit;
      this.cache.delete(token);
      throw new AuthError('token expired');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'] }));
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new AuthError(code === 'ERR_JWT_EXPIRED' ? 'token expired' : 'invalid token');
    }
    if (typeof payload.exp !== 'number') throw new AuthError('token has no expiry');
    const principal = this.parse(payload as JWTPayload & { exp: number });
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(token, principal);
    return principal;
  }
}
