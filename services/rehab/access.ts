/**
 * Who may call the rehab service's routes: every route takes a verified principal within its
 * rate budget; the operators' routes take admins only. The principal is stored on the request.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { accessCheck } from '../shared/access.ts';
import { authenticate } from '../shared/authenticate.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';
import type { RehabPrincipal, RehabTokenVerifier } from './auth.ts';
import type { RehabMetrics } from './metrics.ts';

declare module 'fastify' {
  interface FastifyRequest {
    rehab?: RehabPrincipal;
  }
}

type PreHandler = (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

export interface RehabAccess {
  /** Any verified principal within its budget. */
  authenticated: PreHandler;
  /** Admins only: the pipeline's inner state and the service's figures are for its operators. */
  adminOnly: PreHandler;
}

export function rehabAccess(o: {
  verifier: RehabTokenVerifier;
  limiter: RateLimiter | undefined;
  metrics: RehabMetrics;
}): RehabAccess {
  const access = accessCheck({
    verifier: o.verifier,
    limiter: o.limiter,
    sender: (p) => `${p.role}:${p.id}`,
    onRateLimited: () => o.metrics.rateLimited++,
  });
  const remember = (req: FastifyRequest, p: RehabPrincipal) => {
    req.rehab = p;
  };
  return {
    authenticated: authenticate({ access, remember }),
    adminOnly: authenticate({
      access,
      remember,
      refuse: (p) => (p.role !== 'admin' ? 'only admins read the pipeline and the metrics' : undefined),
    }),
  };
}

/** The principal a pre-handler of `rehabAccess` stored on the request. */
export function principal(req: FastifyRequest): RehabPrincipal {
  return req.rehab as RehabPrincipal;
}
