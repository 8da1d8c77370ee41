/**
 * Rehab tokens: HS256 bearer JWTs with `sub` (the device's subject, the therapist's or the
 * admin's id) and `role`: `device` posts events for its own subject; `therapist` reads its own
 * patients (care_assignments); `admin` does everything.
 */
import { AuthError, BearerVerifier, signHs256 } from '../shared/bearer.ts';
import { localSecret } from '../shared/secret.ts';

export { AuthError } from '../shared/bearer.ts';

export const ROLES = ['device', 'therapist', 'admin'] as const;
export type RehabRole = (typeof ROLES)[number];

export interface RehabPrincipal {
  id: string;
  role: RehabRole;
  exp: number;
}

export function rehabSecret(): Uint8Array {
  return new TextEncoder().encode(localSecret('REHAB_JWT_SECRET', 'rehab-jwt-secret'));
}

export function signRehabToken(
  secret: Uint8Array,
  p: { id: string; role: RehabRole },
  expiresIn = '12h',
): Promise<string> {
  return signHs256(secret, p.id, { role: p.role }, expiresIn);
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export class RehabTokenVerifier extends BearerVerifier<RehabPrincipal> {
  constructor(secret: Uint8Array) {
    super(secret, ({ sub, role, exp }) => {
      if (typeof sub !== 'string' || !ID.test(sub)) throw new AuthError('token lacks a subject');
      if (!ROLES.includes(role as RehabRole)) throw new AuthError('token has an unknown role');
      return { id: sub, role: role as RehabRole, exp };
    });
  }
}
