/**
 * The entry of the lean HTTP/1.1 client: one agent per HttpClient, with a pool of keep-alive
 * sockets per origin (./origin-pool.ts). It turns a request into an exchange and the promise of
 * its response, and hands the owner's sweeps (timeouts, aborts) and close to every pool.
 */
import type { RawRequest, RawResponse, RequestScope } from '../http-client.ts';
import { capture, EINVALIDREQUEST, Http1Exchange } from './exchange.ts';
import { OriginPool } from './origin-pool.ts';
import { prepareExchange } from './request-writer.ts';

export interface Http1Options {
  connections: number;
  pipelining: number;
  now: () => number;
  onConnect?: ((ms: number) => void) | undefined;
  connectTimeoutMs: number;
  /** The most body bytes one response may keep; past it the request fails with BODY_TOO_LARGE. */
  maxBodyBytes: number;
}

/** The lean pools of one HttpClient, one per origin. */
export class Http1Agent {
  private readonly pools = new Map<string, OriginPool>();
  private lastOrigin = '';
  private lastPool: OriginPool | undefined;
  /** Requests queued or in flight over all pools. */
  pending = 0;
  closed = false;

  constructor(readonly options: Http1Options) {}

  send(req: RawRequest): Promise<RawResponse> {
    // The promise-capture trick (./exchange.ts): the one exchange built below, on every path,
    // takes this promise's resolve.
    const promise = new Promise<RawResponse>(capture);
    let pool = this.lastPool;
    const now = this.options.now();
    if (req.origin !== this.lastOrigin || pool === undefined) {
      pool = this.pools.get(req.origin);
      if (!pool) {
        let url: URL;
        try {
          url = new URL(req.origin);
        } catch {
          const x = new Http1Exchange('', undefined, false, false, false, now, undefined);
          x.settle(now, EINVALIDREQUEST);
          return promise;
        }
        pool = new OriginPool(this, url);
        this.pools.set(req.origin, pool);
      }
      this.lastOrigin = req.origin;
      this.lastPool = pool;
    }
    const x = prepareExchange(req, pool.hostHeader, now);
    if (this.closed || req.scope?.aborted) x.settle(now, 'ABORTED');
    else if (x.error !== undefined) x.settle(now, x.error);
    else {
      this.pending++;
      pool.enqueue(x);
      pool.pump();
    }
    return promise;
  }

  /** Times out requests past their deadline and connection attempts past theirs. */
  sweep(now: number): void {
    for (const pool of this.pools.values()) pool.sweep(now, undefined, 'ETIMEDOUT');
  }

  abortScope(scope: RequestScope): void {
    const now = this.options.now();
    for (const pool of this.pools.values()) pool.sweep(now, scope, 'ABORTED');
  }

  close(): void {
    this.closed = true;
    const now = this.options.now();
    for (const pool of this.pools.values()) pool.destroy(now);
    this.pools.clear();
    this.lastPool = undefined;
    this.lastOrigin = '';
  }
}
