/**
 * The HTTP side of the generator: one undici Pool per origin (keep-alive, a connection limit),
 * requests dispatched with a small handler that takes the timings the metrics need:
 * dispatch (written to a socket), first byte, end; and TCP connect time per new connection.
 * A failed request resolves with an error code; it never throws into the run.
 */
import { buildConnector, Pool } from 'undici';
import { errorCode, RequestTimeoutError } from './errors.ts';

export interface RawRequest {
  origin: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  /** Alternating names and values, as undici gives them. */
  rawHeaders: Buffer[];
  body: Buffer;
  /** Error code when no response came (status 0). */
  error?: string;
  /** Clock times (ms): written to a socket, first byte of the response, end. */
  dispatchedAt: number;
  firstByteAt: number;
  endAt: number;
  bytesIn: number;
  bytesOut: number;
}

export interface HttpClientOptions {
  /** Connections per origin. */
  connections: number;
  pipelining: number;
  now: () => number;
  /** Called with the duration of each new TCP connection (ms). */
  onConnect?: (ms: number) => void;
}

const EMPTY = Buffer.alloc(0);

export class HttpClient {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly options: HttpClientOptions) {}

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      const inner = buildConnector({ timeout: 10_000 });
      const { now, onConnect } = this.options;
      pool = new Pool(origin, {
        connections: this.options.connections,
        pipelining: this.options.pipelining,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        headersTimeout: 0,
        bodyTimeout: 0,
        connect: (opts, cb) => {
          const t0 = now();
          return inner(opts, (err, socket) => {
            if (!err) onConnect?.(now() - t0);
            (cb as any)(err, socket);
          });
        },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  send(req: RawRequest): Promise<RawResponse> {
    const now = this.options.now;
    return new Promise<RawResponse>((resolve) => {
      const res: RawResponse = {
        status: 0,
        rawHeaders: [],
        body: EMPTY,
        dispatchedAt: Number.NaN,
        firstByteAt: Number.NaN,
        endAt: Number.NaN,
        bytesIn: 0,
        bytesOut: 0,
      };
      const chunks: Buffer[] = [];
      let abort: ((err: Error) => void) | undefined;
      let settled = false;
      let failure: Error | undefined;
      const finish = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onSignal);
        res.endAt = now();
        if (Number.isNaN(res.dispatchedAt)) res.dispatchedAt = res.endAt;
        if (Number.isNaN(res.firstByteAt)) res.firstByteAt = res.endAt;
        if (err) {
          res.status = 0;
          res.error = errorCode(failure ?? err);
        } else res.body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
        resolve(res);
      };
      const cancel = (err: Error) => {
        failure ??= err;
        if (abort) abort(err);
        else finish(err);
      };
      const timer = setTimeout(() => cancel(new RequestTimeoutError('request timed out')), req.timeoutMs);
      const onSignal = () => cancel(Object.assign(new Error('aborted'), { code: 'ABORTED' }));
      if (req.signal?.aborted) return onSignal();
      req.signal?.addEventListener('abort', onSignal, { once: true });
      let bodyBytes = 0;
      if (req.body !== undefined)
        bodyBytes = typeof req.body === 'string' ? Buffer.byteLength(req.body) : req.body.length;
      let headerBytes = req.method.length + req.path.length + 12;
      for (const k in req.headers) headerBytes += k.length + (req.headers[k] as string).length + 4;
      try {
        this.pool(req.origin).dispatch(
          { method: req.method, path: req.path, headers: req.headers, body: req.body, origin: req.origin },
          {
            onConnect(abortFn: (err: Error) => void) {
              if (failure || settled) return abortFn(failure ?? new Error('aborted'));
              abort = abortFn;
              res.dispatchedAt = now();
              res.bytesOut = headerBytes + bodyBytes;
            },
            onHeaders(status: number, rawHeaders: Buffer[]) {
              res.firstByteAt = now();
              res.status = status;
              res.rawHeaders = rawHeaders;
              let n = 15;
              for (const h of rawHeaders) n += h.length + 2;
              res.bytesIn += n;
              return true;
            },
            onData(chunk: Buffer) {
              chunks.push(chunk);
              res.bytesIn += chunk.length;
              return true;
            },
            onComplete() {
              finish();
            },
            onError(err: Error) {
              finish(err);
            },
          } as never,
        );
      } catch (err) {
        finish(err);
      }
    });
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => {})));
  }
}
