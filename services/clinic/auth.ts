/**
 * Clinic tokens: HS256 bearer JWTs whose payload carries the user (`sub`), the organization
 * (`org`) and the role.
 */
import { AuthError, BearerVerifier, signHs256 } from '../shared/bearer.ts';
import { localSecret } from '../shared/secret.ts';

export { AuthError } from '../shared/bearer.ts';

export type Role = 'PRACTITIONER' | 'ADMIN' | 'PATIENT';

export interface Principal {
  userId: string;
  organizationId: string;
  role: Role;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export function clinicSecret(): Uint8Array {
  return new TextEncoder().encode(localSecret('CLINIC_JWT_SECRET', 'clinic-jwt-secret'));
}

export function signToken(
  secret: Uint8Array,
  p: { userId: string; organizationId: string; role: Role },
  expiresIn = '12h',
): Promise<string> {
  return signHs256(secret, p.userId, { org: p.organizationId, role: p.role }, expiresIn);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class TokenVerifier extends BearerVerifier<Principal> {
  constructor(secret: Uint8Array) {
    super(secret, ({ sub, org, role, exp }) => {
      if (typeof sub !== 'string' || !UUID.test(sub) || typeof org !== 'string' || !UUID.test(org)) {
        throw new AuthError('token lacks a user or organization');
      }
      if (role !== 'PRACTITIONER' && role !== 'ADMIN' && role !== 'PATIENT')
        throw new AuthError('token has an unknown role');
      return { userId: sub, organizationId: org, role, exp };
    });
  }
}
