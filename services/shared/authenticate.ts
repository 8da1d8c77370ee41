/**
 * The services' `onRequest` pre-handler: the request's principal, verified and within its
 * budget (see access.ts), is stored on the request for the route; a principal the route does
 * not serve is answered 403.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fail } from './http.ts';

export interface AuthenticateOptions<P> {
  /** The request's principal, or undefined once 401 or 429 has been answered (`accessCheck`). */
  access(req: FastifyRequest, reply: FastifyReply): Promise<P | undefined>;
  /** Stores the principal where the route's handler reads it. */
  remember(req: FastifyRequest, principal: P): void;
  /** Why the route refuses this principal (answered 403), or undefined when it serves them. */
  refuse?(principal: P): string | undefined;
}

export function authenticate<P>(o: AuthenticateOptions<P>) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const principal = await o.access(req, reply);
    if (!principal) return reply;
    const refusal = o.refuse?.(principal);
    if (refusal !== undefined) return fail(reply, 403, 'forbidden', refusal);
    o.remember(req, principal);
    return undefined;
  };
}
