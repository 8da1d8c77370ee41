/**
 * The HTTP side of the generator. Plain `http:` origins go through the lean HTTP/1.1 client of
 * ./http1.ts; `https:` origins (and every origin when LOADPROOF_HTTP_CLIENT=undici, the way to
 * compare the two) go through one undici Pool per origin (keep-alive, a connection limit), with
 * a small dispatch handler. undici offers HTTP/2 by ALPN on TLS (`version`: '1.1' never offers it,
 * '2' fails what the server will not speak in HTTP/2 with EHTTP2), and verifies certificates
 * unless told not to (`insecureSkipTLSVerify`). Both take the timings the metrics need: dispatch (written to a
 * socket), first byte, end; and TCP connect time per new connection. A failed request resolves
 * with an error code; it never throws into the run.
 *
 * Hot path: one object per request and no closures, timers or signal listeners per request.
 * Timeouts are enforced by one sweep over the requests in flight; a stop aborts every request of
 * its scope.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { buildConnector, Pool } from 'undici';
import { DEFAULT_MAX_BODY_BYTES } from '../plan/http-protocol-options.ts';
import type { TlsConfig } from '../plan/types.ts';
import { BODY_TOO_LARGE, errorCode, RequestTimeoutError } from './errors.ts';
import { Http1Agent } from './http1.ts';
import { type ConnectionSetup, type TlsInfo, tlsConnectOptions, tlsInfoOf } from './tls-connect.ts';

export interface RawRequest {
  origin: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs: number;
  /** Requests that one stop aborts together (a scenario's). */
  scope?: RequestScope;
  /** Read the response body and drop it: `body` stays empty, and no cap applies. */
  discardBody?: boolean;
}

export interface RawResponse {
  status: number;
  /** Alternating names and values, as received (a name that comes twice is there twice). */
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
  /** 'HTTP/2.0' when answered in HTTP/2; HTTP/1.1 when absent. */
  proto?: string;
  /** The server's end of the connection that answered (undici: the origin's latest connection). */
  remoteAddress?: string;
  remotePort?: number;
  /**
   * Set on the first request sent on a new connection: how long its TCP connect and TLS handshake
   * took (ms). Absent on a reused connection.
   */
  connectingMs?: number;
  tlsHandshakingMs?: number;
  /** What the TLS connection that answered agreed (undici: the origin's latest connection). */
  tls?: TlsInfo;
}

export interface HttpClientOptions {
  /** Connections per origin. */
  connections: number;
  pipelining: number;
  now: () => number;
  /** Called with the duration of each new TCP connection (ms). */
  onConnect?: (ms: number) => void;
  /** How long a connection attempt may take before it fails with ETIMEDOUT (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * Which client serves `http:` origins: 'lean' (default) or 'undici'. Without it, the
   * environment variable LOADPROOF_HTTP_CLIENT decides (worker threads inherit it).
   */
  implementation?: 'lean' | 'undici';
  /** Accept any TLS certificate. */
  insecureSkipTLSVerify?: boolean;
  /** TLS versions, cipher suites and client certificates (the plan's http.tls). */
  tls?: TlsConfig;
  /** Absent: HTTP/2 offered on TLS; '1.1': never offered; '2': required (EHTTP2 otherwise). */
  version?: '1.1' | '2';
  /**
   * The most body bytes one response may keep in memory (default 64 MiB); past it the request
   * fails with BODY_TOO_LARGE.
   */
  maxBodyBytes?: number;
}

/** What an origin's connections speak, known once the first one is open (ALPN). */
interface OriginProtocol {
  proto: string | undefined;
  /** The server's end of the origin's latest connection. */
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  /** What the origin's latest TLS connection agreed. */
  tls: TlsInfo | undefined;
  /** New connections whose setup times no request has taken yet, oldest first. */
  unclaimed: ConnectionSetup[];
}

/** The implementation named by LOADPROOF_HTTP_CLIENT ('lean' when unset). */
export function envImplementation(): 'lean' | 'undici' {
  const v = process.env.LOADPROOF_HTTP_CLIENT;
  if (v === undefined || v === '' || v === 'lean') return 'lean';
  if (v === 'undici') return 'undici';
  throw new Error(`LOADPROOF_HTTP_CLIENT must be "lean" or "undici", got ${JSON.stringify(v)}`);
}

const EMPTY = Buffer.alloc(0);
/** How often timeouts are checked: a request times out at most this much after its deadline. */
const SWEEP_MS = 10;
const CONNECT_TIMEOUT_MS = 10_000;

/** The requests in flight of one scenario, so that a stop can abort them all. */
export class RequestScope {
  /** Its requests on the undici path. */
  readonly inflight = new Set<Exchange>();
  /** The clients that have sent its requests on the lean path (they find them by scope). */
  readonly clients = new Set<HttpClient>();
  lastClient: HttpClient | undefined;
  aborted = false;

  abortAll(): void {
    this.aborted = true;
    for (const x of [...this.inflight]) x.cancel(Object.assign(new Error('aborted'), { code: 'ABORTED' }));
    for (const c of this.clients) c.abortScope(this);
  }
}

class Exchange {
  readonly res: RawResponse = {
    status: 0,
    rawHeaders: [],
    body: EMPTY,
    dispatchedAt: Number.NaN,
    firstByteAt: Number.NaN,
    endAt: Number.NaN,
    bytesIn: 0,
    bytesOut: 0,
  };
  private chunks: Buffer[] = [];
  /** Body bytes kept so far (none when the body is discarded). */
  private kept = 0;
  private abortFn: ((err: Error) => void) | undefined;
  private failure: Error | undefined;
  private settled = false;
  deadline: number;

  constructor(
    private readonly client: HttpClient,
    private readonly now: () => number,
    private readonly resolve: (r: RawResponse) => void,
    timeoutMs: number,
    private readonly bytesOut: number,
    readonly scope: RequestScope | undefined,
    private readonly protocol: OriginProtocol,
    /** The most body bytes kept; -1 when the body is discarded. */
    private readonly maxBodyBytes: number,
  ) {
    this.deadline = now() + timeoutMs;
  }

  cancel(err: Error): void {
    if (this.settled) return;
    this.failure ??= err;
    if (this.abortFn) this.abortFn(err);
    else this.finish(err);
  }

  finish(err?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.client.untrack(this);
    const res = this.res;
    res.endAt = this.now();
    if (Number.isNaN(res.dispatchedAt)) res.dispatchedAt = res.endAt;
    if (Number.isNaN(res.firstByteAt)) res.firstByteAt = res.endAt;
    if (err) {
      res.status = 0;
      res.error = errorCode(this.failure ?? err);
    } else res.body = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.resolve(res);
  }

  // undici's dispatch handler
  onConnect(abort: (err: Error) => void): void {
    if (this.failure || this.settled) {
      abort(this.failure ?? new Error('aborted'));
      return;
    }
    this.abortFn = abort;
    this.res.dispatchedAt = this.now();
    this.res.bytesOut = this.bytesOut;
    // The first request sent after a new connection opened is the one that waited for it.
    const setup = this.protocol.unclaimed.shift();
    if (setup !== undefined) {
      this.res.connectingMs = setup.connectingMs;
      this.res.tlsHandshakingMs = setup.tlsHandshakingMs;
    }
  }
  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    const res = this.res;
    res.firstByteAt = this.now();
    res.status = status;
    res.rawHeaders = rawHeaders;
    const protocol = this.protocol;
    if (protocol.proto !== undefined) res.proto = protocol.proto;
    res.remoteAddress = protocol.remoteAddress;
    res.remotePort = protocol.remotePort;
    if (protocol.tls !== undefined) res.tls = protocol.tls;
    let n = 15;
    for (const h of rawHeaders) n += h.length + 2;
    res.bytesIn += n;
    // A body announced past the cap fails before a byte of it is read.
    if (this.maxBodyBytes >= 0 && declaredLength(rawHeaders) > this.maxBodyBytes) {
      this.cancel(bodyTooLarge());
      return false;
    }
    return true;
  }
  onData(chunk: Buffer): boolean {
    this.res.bytesIn += chunk.length;
    if (this.maxBodyBytes < 0) return true;
    this.kept += chunk.length;
    if (this.kept > this.maxBodyBytes) {
      this.chunks = [];
      this.cancel(bodyTooLarge());
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }
  onComplete(): void {
    this.finish();
  }
  onError(err: Error): void {
    this.finish(err);
  }
}

export class HttpClient {
  private readonly pools = new Map<string, Pool>();
  private readonly protocols = new Map<string, OriginProtocol>();
  private readonly inflight = new Set<Exchange>();
  private sweeper: NodeJS.Timeout | undefined;
  /** The lean client, or undefined when every origin goes through undici. */
  private readonly lean: Http1Agent | undefined;
  private readonly maxBodyBytes: number;

  constructor(private readonly options: HttpClientOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const impl = options.implementation ?? envImplementation();
    if (impl === 'lean')
      this.lean = new Http1Agent({
        connections: options.connections,
        pipelining: options.pipelining,
        now: options.now,
        onConnect: options.onConnect,
        connectTimeoutMs: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
        maxBodyBytes: this.maxBodyBytes,
      });
  }

  /** Aborts the lean path's requests of a scope (the undici path's are in the scope itself). */
  abortScope(scope: RequestScope): void {
    this.lean?.abortScope(scope);
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      const { now, onConnect, version } = this.options;
      const allowH2 = version !== '1.1';
      const inner = buildConnector({
        timeout: this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
        allowH2,
        ...(this.options.insecureSkipTLSVerify ? { rejectUnauthorized: false } : {}),
        ...(origin.startsWith('https:') ? tlsConnectOptions(this.options.tls, new URL(origin).hostname) : {}),
      } as buildConnector.BuildOptions);
      const protocol = this.protocolOf(origin);
      pool = new Pool(origin, {
        connections: this.options.connections,
        pipelining: this.options.pipelining,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        headersTimeout: 0,
        bodyTimeout: 0,
        allowH2,
        connect: (opts, cb) => {
          const t0 = now();
          let tcpAt = Number.NaN;
          let ocsp: Buffer | undefined;
          const opened = inner(opts, (err, socket) => {
            const done = cb as (e: Error | null, s: unknown) => void;
            if (err) return done(err, socket);
            const tls = socket as TLSSocket;
            const h2 = tls.alpnProtocol === 'h2';
            if (version === '2' && !h2) {
              socket.destroy();
              return done(http2Refused(), null);
            }
            const at = now();
            if (Number.isNaN(tcpAt)) tcpAt = at;
            protocol.proto = h2 ? 'HTTP/2.0' : 'HTTP/1.1';
            protocol.remoteAddress = socket.remoteAddress;
            protocol.remotePort = socket.remotePort;
            if (typeof tls.getProtocol === 'function') protocol.tls = tlsInfoOf(tls, ocsp);
            protocol.unclaimed.push({ connectingMs: tcpAt - t0, tlsHandshakingMs: at - tcpAt });
            onConnect?.(at - t0);
            done(null, socket);
          });
          // The TCP connect ends before the handshake starts; the server staples OCSP during it.
          // (undici's connector gives the socket back at once, though its types say nothing.)
          const socket = opened as unknown as Socket | undefined;
          socket?.once('connect', () => {
            tcpAt = now();
          });
          socket?.once('OCSPResponse', (response: Buffer | null) => {
            if (response !== null && response.length > 0) ocsp = response;
          });
          return opened;
        },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  private protocolOf(origin: string): OriginProtocol {
    let p = this.protocols.get(origin);
    if (!p) {
      p = {
        proto: undefined,
        remoteAddress: undefined,
        remotePort: undefined,
        tls: undefined,
        unclaimed: [],
      };
      this.protocols.set(origin, p);
    }
    return p;
  }

  untrack(x: Exchange): void {
    this.inflight.delete(x);
    x.scope?.inflight.delete(x);
  }

  private sweep = () => {
    const now = this.options.now();
    for (const x of this.inflight)
      if (x.deadline <= now) x.cancel(new RequestTimeoutError('request timed out'));
    this.lean?.sweep(now);
    if (this.inflight.size === 0 && (this.lean?.pending ?? 0) === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  };

  /** Whether the timeout sweep is running (it stops when nothing is in flight). */
  get sweeping(): boolean {
    return this.sweeper !== undefined;
  }

  send(req: RawRequest): Promise<RawResponse> {
    // HTTP/2 is negotiated by ALPN, on TLS only.
    if (this.options.version === '2' && !req.origin.startsWith('https:'))
      return Promise.resolve(this.refused(req));
    const lean = this.lean;
    if (lean !== undefined && req.origin.startsWith('http:')) {
      const scope = req.scope;
      if (scope !== undefined && scope.lastClient !== this) {
        scope.clients.add(this);
        scope.lastClient = this;
      }
      const p = lean.send(req);
      if (!this.sweeper && lean.pending > 0) {
        this.sweeper = setInterval(this.sweep, SWEEP_MS);
        this.sweeper.unref();
      }
      return p;
    }
    return new Promise<RawResponse>((resolve) => {
      let bytesOut = req.method.length + req.path.length + 12;
      for (const k in req.headers) bytesOut += k.length + (req.headers[k] as string).length + 4;
      if (req.body !== undefined)
        bytesOut += typeof req.body === 'string' ? Buffer.byteLength(req.body) : req.body.length;
      const x = new Exchange(
        this,
        this.options.now,
        resolve,
        req.timeoutMs,
        bytesOut,
        req.scope,
        this.protocolOf(req.origin),
        req.discardBody === true ? -1 : this.maxBodyBytes,
      );
      if (req.scope?.aborted) return x.finish(Object.assign(new Error('aborted'), { code: 'ABORTED' }));
      this.inflight.add(x);
      req.scope?.inflight.add(x);
      if (!this.sweeper) {
        this.sweeper = setInterval(this.sweep, SWEEP_MS);
        this.sweeper.unref();
      }
      try {
        this.pool(req.origin).dispatch(
          { method: req.method, path: req.path, headers: req.headers, body: req.body, origin: req.origin },
          x as never,
        );
      } catch (err) {
        x.finish(err);
      }
    });
  }

  /** A request that HTTP/2 was required for and that cannot have it: it fails at once. */
  private refused(req: RawRequest): RawResponse {
    const t = this.options.now();
    return {
      status: 0,
      rawHeaders: [],
      body: EMPTY,
      error: req.scope?.aborted ? 'ABORTED' : errorCode(http2Refused()),
      dispatchedAt: t,
      firstByteAt: t,
      endAt: t,
      bytesIn: 0,
      bytesOut: 0,
    };
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.lean?.close();
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => {})));
  }
}

function bodyTooLarge(): Error {
  return Object.assign(new Error('response body over http.maxBodyBytes'), { code: BODY_TOO_LARGE });
}

/** The Content-Length of a response's raw headers, or -1 without one. */
function declaredLength(rawHeaders: Buffer[]): number {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as Buffer;
    if (name.length === 14 && name.toString('latin1').toLowerCase() === 'content-length') {
      const n = Number((rawHeaders[i + 1] as Buffer).toString('latin1'));
      return Number.isFinite(n) ? n : -1;
    }
  }
  return -1;
}

function http2Refused(): Error {
  return Object.assign(new Error('HTTP/2 is required (http.version: 2) and the server did not agree to it'), {
    code: 'EHTTP2',
  });
}
