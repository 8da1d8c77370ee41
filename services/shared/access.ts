/**
 * Who may send a request, and how often: the bearer token is verified, then the sender's budget
 * is taken from the rate limiter. A sender is the token's verified subject; a request without a
 * valid token is limited by its client address before it is answered 401, so guessing tokens
 * costs a budget too.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, type BearerVerifier } from './bearer.ts';
import { fail } from './http.ts';
import type { RateLimiter } from './rate-limit.ts';

export interface AccessOptions<P extends { exp: number }> {
  verifier: BearerVerifier<P>;
  limiter: RateLimiter | undefined;
  /** The rate limiter's key of a verified principal. */
  sender(principal: P): string;
  onRateLimited(): void;
}

/** The request's principal, or undefined once 401 or 429 has been answered. */
export function accessCheck<P extends { exp: number }>(o: AccessOptions<P>) {
  const limited = (reply: FastifyReply, key: string): boolean => {
    const wait = o.limiter?.take(key) ?? 0;
    if (wait === 0) return false;
    o.onRateLimited();
    reply.header('retry-after', String(wait));
    fail(reply, 429, 'rate_limited', `too many requests; retry in ${wait}s`);
    return true;
  };
  return async (req: FastifyRequest, reply: FastifyReply): Promise<P | undefined> => {
    let principal: P;
    try {
      principal = await o.verifier.verify(req.headers.authorization);
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      if (!limited(reply, `address:${req.ip}`)) fail(reply, 401, 'unauthorized', e.message);
      return undefined;
    }
    return limited(reply, `sender:${o.sender(principal)}`) ? undefined : principal;
  };
}
