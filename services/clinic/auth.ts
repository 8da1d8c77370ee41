/**
 * Bearer JWTs (HS256 only: `alg: none` and every other algorithm are refused). The payload
 * carries the user (`sub`), the organization (`org`) and the role. Verified tokens are cached
 * (bounded), since every request of a load test carries one of a few tokens.
 */
import { jwtVerify, SignJWT } from 'jose';
import { localSecret } from '../shared/secret.ts';

export type Role = 'PRACTITIONER' | 'ADMIN' | 'PATIENT';

export interface Principal {
  userId: string;
  organizationId: string;
  role: Role;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export class AuthError extends Error {}

export function clinicSecret(): Uint8Array {
  return new TextEncoder().encode(localSecret('CLINIC_JWT_SECRET', 'clinic-jwt-secret'));
}

export async function signToken(
  secret: Uint8Array,
  p: { userId: string; organizationId: string; role: Role },
  expiresIn = '12h',
): Promise<string> {
  return new SignJWT({ org: p.organizationId, role: p.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(p.userId)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(secret);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CACHE_LIMIT = 10_000;

export class TokenVerifier {
  private readonly cache = new Map<string, Principal>();

  constructor(private readonly secret: Uint8Array) {}

  async verify(header: string | undefined): Promise<Principal> {
    if (!header) throw new AuthError('missing bearer token');
    const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(header);
    if (!m) throw new AuthError('malformed bearer token');
    const token = m[1] as string;
    const now = Math.floor(Date.now() / 1000);
    const hit = this.cache.get(token);
    if (hit) {
      if (hit.exp > now) return hit;
      this.cache.delete(token);
      throw new AuthError('token expired');
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'] }));
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new AuthError(code === 'ERR_JWT_EXPIRED' ? 'token expired' : 'invalid token');
    }
    const { sub, org, role, exp } = payload;
    if (typeof sub !== 'string' || !UUID.test(sub) || typeof org !== 'string' || !UUID.test(org)) {
      throw new AuthError('token lacks a user or organization');
    }
    if (role !== 'PRACTITIONER' && role !== 'ADMIN' && role !== 'PATIENT')
      throw new AuthError('token has an unknown role');
    if (typeof exp !== 'number') throw new AuthError('token has no expiry');
    const principal: Principal = { userId: sub, organizationId: org, role, exp };
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(token, principal);
    return principal;
  }
}
