/**
 * A lean HTTP/1.1 client for plain `http:` origins: a pool of keep-alive sockets per origin and
 * a small incremental response parser. It exists because undici, however good, costs about twice
 * the CPU per request of the whole of autocannon on the generator's hot path.
 *
 * Behaviour (the tests in test/engine/http1*.test.ts hold each point):
 *  - At most `connections` sockets per origin; requests wait in a FIFO queue when all are busy.
 *    An idle socket is reused (most recently used first); a new one is opened only while there
 *    are more waiting requests than sockets being opened. With `pipelining` > 1, a request goes
 *    behind others on a busy socket only when no more sockets may be opened, only if it is
 *    idempotent (GET, HEAD, PUT, DELETE, OPTIONS, TRACE), and never behind a `connection: close`.
 *  - A socket is retired after a response that does not allow reuse (`Connection: close`,
 *    HTTP/1.0 without keep-alive, a body delimited by the close), after the keep-alive time the
 *    server announced (`Keep-Alive: timeout=N`, less one second) or 30 s idle, and as soon as the
 *    server closes it. A request never written to a socket is never failed by that socket.
 *  - A socket that dies fails the request whose response it was reading (or was waiting for) with
 *    the socket's code (ECONNRESET when it simply closed); requests pipelined behind it that got
 *    no byte of answer are put back at the front of the queue (they are all idempotent). Nothing
 *    else is retried.
 *  - A failed connection attempt (ECONNREFUSED, ETIMEDOUT after connectTimeoutMs, ...) fails the oldest
 *    waiting request with its code; the next one gets its own attempt.
 *  - Timeouts and aborts are applied by the owner's sweep (`sweep`, `abortScope`): a waiting
 *    request is taken out of the queue; a written one is resolved at once, and its socket is
 *    destroyed when its response is the one being waited for (otherwise its late response is read
 *    and dropped when it comes, so that the requests before it are not harmed).
 *  - Requests are checked before anything is sent: a method or header name that is not a token,
 *    CONNECT, a header value with a control character (CR/LF injection), a path that does not
 *    start with '/' (but OPTIONS *) or holds a space or a control character, a body that is
 *    neither a string nor bytes, a `transfer-encoding` or `upgrade` header, a `connection` header
 *    other than close/keep-alive, a `content-length` that differs from the body, an origin that is
 *    not a URL: all resolve with EINVALIDREQUEST and nothing is written. Numbers and booleans in
 *    header values are sent as text.
 *  - A response that breaks HTTP/1.1 (status line, header syntax, both Content-Length and
 *    Transfer-Encoding, conflicting Content-Length values, bad chunk framing, a head larger than
 *    http.maxHeaderSize, bytes nobody asked for, a 101) resolves with EPROTO, the code the undici
 *    path uses for llhttp's HPE_* errors, and its socket is destroyed.
 *
 * Hot path: one object per request (it is also the response), no closure, timer or listener per
 * request, the request head written as one latin1 string. Sockets read into one buffer shared by
 * the thread (net's `onread`: no allocation and no stream machinery per read); a response that
 * arrives in one packet is parsed in place, and only its header block and body are copied out
 * (header Buffers are cut from the block only when asked for). Measured on the generator bench
 * (64 VUs, max rate): `onread` saved about 1.2 µs of CPU per request over 'data' events.
 */
import { maxHeaderSize } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { RawRequest, RawResponse, RequestScope } from './http-client.ts';

export const EMPTY = Buffer.alloc(0);
/** A response that breaks HTTP/1.1. */
export const EPROTO = 'EPROTO';
/** A request refused before anything was sent (CR/LF injection, a bad method, ...). */
export const EINVALIDREQUEST = 'EINVALIDREQUEST';

/** Idle keep-alive time without a server hint; the hint is trusted up to KEEP_ALIVE_MAX_MS. */
const KEEP_ALIVE_MS = 30_000;
const KEEP_ALIVE_MAX_MS = 600_000;
/** Give up on an idle socket this long before the server said it would close it. */
const KEEP_ALIVE_MARGIN_MS = 1_000;

// Parser states
const S_HEAD = 0;
const S_LENGTH = 1;
const S_CHUNK_SIZE = 2;
const S_CHUNK_EXT = 3;
const S_CHUNK_SIZE_LF = 4;
const S_CHUNK_DATA = 5;
const S_CHUNK_DATA_CR = 6;
const S_CHUNK_DATA_LF = 7;
const S_TRAILERS = 8;
const S_EOF = 9;

// Connection states
const C_CONNECTING = 0;
const C_OPEN = 1;
const C_DEAD = 2;

/** tchar of RFC 9110 */
const TOKEN = new Uint8Array(256);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9!#$%&'*+\-.^_`|~]/.test(ch)) TOKEN[c] = 1;
}
/** What a field value (and a reason phrase) may hold: HTAB, SP, VCHAR, obs-text. */
const FIELD_CHAR = new Uint8Array(256);
for (let c = 0; c < 256; c++) if (c === 9 || (c >= 32 && c !== 127)) FIELD_CHAR[c] = 1;
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 16; c++) {
  HEX['0123456789abcdef'.charCodeAt(c)] = c;
  HEX['0123456789ABCDEF'.charCodeAt(c)] = c;
}
const TOKEN_RE = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
/** What a header value may hold: HTAB, visible ASCII, space, obs-text. No CR, LF, NUL or other controls. */
const BAD_VALUE_RE = /[^\t\x20-\x7e\x80-\xff]/;
/** A request target: no space, no control character, nothing beyond latin1. */
const BAD_PATH_RE = /[^\x21-\x7e\x80-\xff]/;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);
const PAYLOAD_METHODS = new Set(['POST', 'PUT', 'PATCH']);

const lower = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const N_CONTENT_LENGTH = lower('content-length');
const N_TRANSFER_ENCODING = lower('transfer-encoding');
const N_CONNECTION = lower('connection');
const N_KEEP_ALIVE = lower('keep-alive');
const N_CLOSE = lower('close');
const N_CHUNKED = lower('chunked');
const N_TIMEOUT = lower('timeout');

/** Case-insensitive comparison of b[p, p + name.length) with a lower-case token. */
function nameIs(b: Buffer, p: number, len: number, name: Uint8Array): boolean {
  if (len !== name.length) return false;
  for (let i = 0; i < len; i++) if (((b[p + i] as number) | 0x20) !== name[i]) return false;
  return true;
}

/** Whether b[s, e) holds `token` (lower case) as one element of a comma-separated list, in any case. */
function listHas(b: Buffer, s: number, e: number, token: Uint8Array): boolean {
  let i = s;
  while (i < e) {
    while (i < e && (b[i] === 32 || b[i] === 9 || b[i] === 44)) i++;
    const start = i;
    while (i < e && b[i] !== 44) i++;
    let end = i;
    while (end > start && (b[end - 1] === 32 || b[end - 1] === 9)) end--;
    if (nameIs(b, start, end - start, token)) return true;
  }
  return false;
}

/** The `timeout=N` parameter of a Keep-Alive header in b[s, e), in ms; -1 without one. */
function keepAliveTimeout(b: Buffer, s: number, e: number): number {
  let i = s;
  while (i < e) {
    while (i < e && (b[i] === 32 || b[i] === 9 || b[i] === 44 || b[i] === 59)) i++;
    if (nameIs(b, i, Math.min(7, e - i), N_TIMEOUT)) {
      let j = i + 7;
      while (j < e && (b[j] === 32 || b[j] === 9)) j++;
      if (j < e && b[j] === 61) {
        j++;
        while (j < e && (b[j] === 32 || b[j] === 9)) j++;
        let v = 0;
        let digits = 0;
        for (; j < e && digits < 10; j++, digits++) {
          const d = (b[j] as number) - 48;
          if (d < 0 || d > 9) break;
          v = v * 10 + d;
        }
        if (digits > 0) return v * 1000;
      }
    }
    while (i < e && b[i] !== 44 && b[i] !== 59) i++;
  }
  return -1;
}

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const readBuffer = () => READ_BUFFER;

/** A copy of b[s, e) that outlives the shared read buffer. */
function copyOf(b: Buffer, s: number, e: number): Buffer {
  if (e <= s) return EMPTY;
  const out = Buffer.allocUnsafe(e - s);
  b.copy(out, 0, s, e);
  return out;
}

let captured: ((r: RawResponse) => void) | undefined;
const capture = (resolve: (r: RawResponse) => void) => {
  captured = resolve;
};

/** One request and, once answered, its response. */
export class Http1Exchange implements RawResponse {
  status = 0;
  body: Buffer = EMPTY;
  error: string | undefined = undefined;
  dispatchedAt = Number.NaN;
  firstByteAt = Number.NaN;
  endAt = Number.NaN;
  bytesIn = 0;
  bytesOut = 0;
  /** The header lines of the response (between status line and the empty line), split on demand. */
  headerBlock: Buffer = EMPTY;
  private headerList: Buffer[] | undefined = undefined;

  resolve: ((r: RawResponse) => void) | undefined;
  /** Next in the pool's queue or in a socket's pipeline. */
  next: Http1Exchange | undefined = undefined;
  settled = false;
  /** A byte of its response has been read. */
  answered = false;

  constructor(
    public head: string,
    public reqBody: string | Uint8Array | undefined,
    readonly isHead: boolean,
    readonly idempotent: boolean,
    /** `connection: close` was asked: nothing goes behind it, and its socket is retired after. */
    readonly closeAfter: boolean,
    readonly deadline: number,
    readonly scope: RequestScope | undefined,
  ) {
    this.resolve = captured;
  }

  get rawHeaders(): Buffer[] {
    this.headerList ??= splitHeaderBlock(this.headerBlock);
    return this.headerList;
  }

  /** Resolves the request; later calls do nothing. */
  settle(now: number, error: string | undefined): void {
    if (this.settled) return;
    this.settled = true;
    this.endAt = now;
    if (Number.isNaN(this.dispatchedAt)) this.dispatchedAt = now;
    if (Number.isNaN(this.firstByteAt)) this.firstByteAt = now;
    if (error !== undefined) {
      this.error = error;
      this.status = 0;
      this.body = EMPTY;
      this.headerBlock = EMPTY;
    }
    this.head = '';
    this.reqBody = undefined;
    const resolve = this.resolve as (r: RawResponse) => void;
    this.resolve = undefined;
    resolve(this);
  }
}

/** Alternating name and value Buffers of a validated header block; obs-fold lines are joined with a space. */
export function splitHeaderBlock(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let p = 0;
  const end = b.length;
  while (p < end) {
    let q = b.indexOf(10, p);
    if (q < 0) q = end;
    let le = q;
    if (le > p && b[le - 1] === 13) le--;
    if (b[p] === 32 || b[p] === 9) {
      // obs-fold: the line continues the previous value
      let s = p;
      while (s < le && (b[s] === 32 || b[s] === 9)) s++;
      let e = le;
      while (e > s && (b[e - 1] === 32 || b[e - 1] === 9)) e--;
      const last = out.length - 1;
      if (last >= 1 && e > s) {
        const prev = out[last] as Buffer;
        out[last] = prev.length
          ? Buffer.concat([prev, Buffer.from(' '), b.subarray(s, e)])
          : b.subarray(s, e);
      }
    } else {
      const colon = b.indexOf(58, p);
      let s = colon + 1;
      while (s < le && (b[s] === 32 || b[s] === 9)) s++;
      let e = le;
      while (e > s && (b[e - 1] === 32 || b[e - 1] === 9)) e--;
      out.push(b.subarray(p, colon), b.subarray(s, e));
    }
    p = q + 1;
  }
  return out;
}

export interface Http1Options {
  connections: number;
  pipelining: number;
  now: () => number;
  onConnect?: ((ms: number) => void) | undefined;
  connectTimeoutMs: number;
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
    const x = pool.prepare(req, now);
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

class OriginPool {
  readonly host: string;
  readonly port: number;
  /** `host` header: the origin's host, with its port unless it is the default. */
  readonly hostHeader: string;
  readonly conns: Conn[] = [];
  readonly idle: Conn[] = [];
  connecting = 0;
  private qHead: Http1Exchange | undefined;
  private qTail: Http1Exchange | undefined;
  queued = 0;
  private cursor = 0;
  private readonly limit: number;
  private readonly pipelining: number;

  constructor(
    readonly agent: Http1Agent,
    u: URL,
  ) {
    this.host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    this.port = u.port ? Number(u.port) : 80;
    this.hostHeader = u.host;
    this.limit = Math.max(1, agent.options.connections | 0);
    this.pipelining = Math.max(1, agent.options.pipelining | 0);
  }

  /** The exchange for a request, with its head serialized, or with `error` set if it must not be sent. */
  prepare(req: RawRequest, now: number): Http1Exchange {
    const method = req.method;
    const headers = req.headers;
    const body = req.body;
    const path = req.path;
    let bad =
      !TOKEN_RE.test(method) ||
      method === 'CONNECT' ||
      BAD_PATH_RE.test(path) ||
      !(path.charCodeAt(0) === 47 || (path === '*' && method === 'OPTIONS')) ||
      (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array));
    let host = this.hostHeader;
    let lines = '';
    let closeAfter = false;
    let declaredLength: string | undefined;
    for (const k in headers) {
      const raw: unknown = headers[k];
      // A number or a boolean is sent as its text, as undici does.
      const v =
        typeof raw === 'string'
          ? raw
          : typeof raw === 'number' || typeof raw === 'boolean'
            ? String(raw)
            : '\n';
      if (!TOKEN_RE.test(k) || BAD_VALUE_RE.test(v)) {
        bad = true;
        break;
      }
      const n = k.length;
      if (n === 4 || n === 7 || n === 10 || n === 14 || n === 17) {
        const lk = k.toLowerCase();
        if (lk === 'host') {
          host = v;
          continue;
        }
        if (lk === 'content-length') {
          declaredLength = v.trim();
          continue;
        }
        if (lk === 'transfer-encoding' || lk === 'upgrade') {
          bad = true;
          break;
        }
        if (lk === 'connection') {
          const cv = v.trim().toLowerCase();
          if (cv === 'close') closeAfter = true;
          else if (cv !== 'keep-alive') {
            bad = true;
            break;
          }
        }
      }
      lines += `${k}: ${v}\r\n`;
    }
    let length = -1;
    if (!bad) {
      if (body !== undefined) length = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
      else if (PAYLOAD_METHODS.has(method)) length = 0;
    }
    if (declaredLength !== undefined && declaredLength !== String(length < 0 ? 0 : length)) bad = true;
    const head =
      length < 0
        ? `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n${lines}\r\n`
        : `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n${lines}content-length: ${length}\r\n\r\n`;
    const x = new Http1Exchange(
      head,
      body !== undefined && length > 0 ? body : undefined,
      method === 'HEAD',
      IDEMPOTENT.has(method),
      closeAfter,
      now + req.timeoutMs,
      req.scope,
    );
    if (bad) x.error = EINVALIDREQUEST;
    return x;
  }

  enqueue(x: Http1Exchange): void {
    x.next = undefined;
    if (this.qTail) this.qTail.next = x;
    else this.qHead = x;
    this.qTail = x;
    this.queued++;
  }

  /** Puts requests back at the front of the queue, in their order. */
  requeueFront(first: Http1Exchange, last: Http1Exchange, count: number): void {
    last.next = this.qHead;
    if (!this.qHead) this.qTail = last;
    this.qHead = first;
    this.queued += count;
  }

  private dequeue(): Http1Exchange {
    const x = this.qHead as Http1Exchange;
    this.qHead = x.next;
    if (!this.qHead) this.qTail = undefined;
    x.next = undefined;
    this.queued--;
    return x;
  }

  /** Gives waiting requests to sockets: idle ones first, then new ones, then pipelines. */
  pump(): void {
    let now = -1;
    while (this.queued > 0) {
      const x = this.qHead as Http1Exchange;
      let conn: Conn | undefined;
      while (this.idle.length > 0) {
        const c = this.idle.pop() as Conn;
        c.idleIdx = -1;
        if (c.state !== C_OPEN) continue;
        if (now < 0) now = this.agent.options.now();
        if (now >= c.expiresAt) {
          c.kill(undefined, now);
          continue;
        }
        conn = c;
        break;
      }
      if (conn) {
        conn.write(this.dequeue(), now < 0 ? this.agent.options.now() : now);
        continue;
      }
      if (this.conns.length < this.limit) {
        if (this.connecting >= this.queued) return;
        this.open();
        continue;
      }
      if (this.pipelining > 1 && x.idempotent && !x.closeAfter) {
        conn = this.withRoom();
        if (conn) {
          conn.write(this.dequeue(), now < 0 ? this.agent.options.now() : now);
          continue;
        }
      }
      return;
    }
  }

  /** A socket that can take one more request behind those it already has. */
  private withRoom(): Conn | undefined {
    const n = this.conns.length;
    for (let i = 0; i < n; i++) {
      const k = (this.cursor + i) % n;
      const c = this.conns[k] as Conn;
      if (c.state === C_OPEN && c.inflight < this.pipelining && !c.noMore) {
        this.cursor = k + 1;
        return c;
      }
    }
    return undefined;
  }

  private open(): void {
    const c = new Conn(this);
    c.connIdx = this.conns.length;
    this.conns.push(c);
    this.connecting++;
  }

  /** A socket leaves the pool (it died or was retired). */
  remove(c: Conn): void {
    const i = c.connIdx;
    if (i >= 0) {
      const last = this.conns.pop() as Conn;
      if (last !== c) {
        this.conns[i] = last;
        last.connIdx = i;
      }
      c.connIdx = -1;
    }
    if (c.idleIdx >= 0) {
      const last = this.idle.pop() as Conn;
      if (last !== c) {
        this.idle[c.idleIdx] = last;
        last.idleIdx = c.idleIdx;
      }
      c.idleIdx = -1;
    }
  }

  /** A socket has nothing in flight: give it the next request, or keep it idle. */
  release(c: Conn, now: number): void {
    if (this.queued > 0) {
      c.write(this.dequeue(), now);
      // More may go behind it.
      if (this.queued > 0 && this.pipelining > 1) this.pump();
      return;
    }
    c.idleIdx = this.idle.length;
    this.idle.push(c);
  }

  /** A connection attempt failed: the oldest waiting request fails with its code. */
  connectFailed(code: string, now: number): void {
    if (this.queued > 0) {
      const x = this.dequeue();
      this.agent.pending--;
      x.settle(now, code);
    }
  }

  /**
   * Ends requests past their deadline (scope undefined) or of a scope, with `code`; a socket whose
   * awaited response belongs to such a request is destroyed.
   */
  sweep(now: number, scope: RequestScope | undefined, code: string): void {
    let prev: Http1Exchange | undefined;
    let x = this.qHead;
    while (x) {
      const next = x.next;
      if (scope === undefined ? x.deadline <= now : x.scope === scope) {
        if (prev) prev.next = next;
        else this.qHead = next;
        if (this.qTail === x) this.qTail = prev;
        x.next = undefined;
        this.queued--;
        this.agent.pending--;
        x.settle(now, code);
      } else prev = x;
      x = next;
    }
    for (let i = this.conns.length - 1; i >= 0; i--) {
      const c = this.conns[i];
      if (!c) continue;
      if (c.state === C_CONNECTING) {
        if (scope === undefined && now >= c.connectDeadline) c.connectError('ETIMEDOUT', now);
        continue;
      }
      for (let y = c.first; y; y = y.next) {
        if (y.settled) continue;
        if (scope === undefined ? y.deadline <= now : y.scope === scope) {
          this.agent.pending--;
          y.settle(now, code);
        }
      }
      // The response being waited for will never be wanted: the socket must go.
      if (c.first?.settled) c.kill(undefined, now);
    }
  }

  destroy(now: number): void {
    while (this.queued > 0) {
      const x = this.dequeue();
      this.agent.pending--;
      x.settle(now, 'ABORTED');
    }
    for (let i = this.conns.length - 1; i >= 0; i--) {
      const c = this.conns[i];
      if (!c) continue;
      for (let y = c.first; y; y = y.next)
        if (!y.settled) {
          this.agent.pending--;
          y.settle(now, 'ABORTED');
        }
      c.kill(undefined, now);
    }
  }
}

class Conn {
  readonly socket: Socket;
  state = C_CONNECTING;
  connIdx = -1;
  idleIdx = -1;
  readonly connectStart: number;
  readonly connectDeadline: number;
  expiresAt = 0;
  /** Written requests, oldest first: `first` is the one whose response is read next. */
  first: Http1Exchange | undefined;
  last: Http1Exchange | undefined;
  inflight = 0;
  /** Nothing more may be written (a `connection: close` request went out). */
  noMore = false;
  private socketError: string | undefined;
  /** Inside onData: a socket left with nothing in flight is released at the end of the packet. */
  private reading = false;

  // parser state, per response
  private pst = S_HEAD;
  private remaining = 0;
  private sizeDigits = 0;
  private status = 0;
  private http10 = false;
  private contentLength = -1;
  /** 0 none, 1 chunked last, 2 another coding last */
  private te = 0;
  private connClose = false;
  private connKeepAlive = false;
  private keepAliveMs = -1;
  private headParts: Buffer[] | undefined;
  private headLen = 0;
  /** End-of-head (and end-of-trailers) detector: 0 in a line, 1 after LF, 2 after LF CR. */
  private scan = 0;
  private bodyFirst: Buffer | undefined;
  /** Of the response being read: its bytes so far, the time of its first byte, its header block. */
  private respBytes = 0;
  private respFirstByte = Number.NaN;
  private respHeaders: Buffer = EMPTY;
  private bodyParts: Buffer[] | undefined;

  constructor(readonly pool: OriginPool) {
    const now = pool.agent.options.now();
    this.connectStart = now;
    this.connectDeadline = now + pool.agent.options.connectTimeoutMs;
    // Reads land in one buffer shared by every socket of the thread (no allocation per read);
    // whatever is kept of them is copied out.
    this.socket = connect({
      host: pool.host,
      port: pool.port,
      noDelay: true,
      onread: { buffer: readBuffer, callback: this.onRead },
    });
    this.socket.on('connect', this.onConnect);
    this.socket.on('end', this.onEnd);
    this.socket.on('error', this.onError);
    this.socket.on('close', this.onClose);
  }

  private readonly onConnect = () => {
    if (this.state !== C_CONNECTING) return;
    const pool = this.pool;
    const now = pool.agent.options.now();
    this.state = C_OPEN;
    pool.connecting--;
    this.expiresAt = now + KEEP_ALIVE_MS;
    pool.agent.options.onConnect?.(now - this.connectStart);
    pool.release(this, now);
    pool.pump();
  };

  private readonly onError = (err: Error) => {
    this.socketError ??= (err as { code?: string }).code ?? 'ECONNRESET';
  };

  private readonly onEnd = () => {
    const now = this.pool.agent.options.now();
    // A body delimited by the close ends here.
    if (this.pst === S_EOF && this.first) this.complete(now);
    this.kill('ECONNRESET', now);
  };

  private readonly onClose = () => {
    const now = this.pool.agent.options.now();
    if (this.state === C_CONNECTING) {
      this.connectError(this.socketError ?? 'ECONNRESET', now);
      return;
    }
    if (
      this.pst === S_EOF &&
      this.first &&
      (this.socketError === undefined || this.socketError === 'ECONNRESET')
    )
      this.complete(now);
    this.kill(this.socketError ?? 'ECONNRESET', now);
  };

  connectError(code: string, now: number): void {
    if (this.state !== C_CONNECTING) return;
    this.state = C_DEAD;
    const pool = this.pool;
    pool.connecting--;
    pool.remove(this);
    this.socket.destroy();
    pool.connectFailed(code, now);
    pool.pump();
  }

  write(x: Http1Exchange, now: number): void {
    x.dispatchedAt = now;
    x.next = undefined;
    if (this.last) this.last.next = x;
    else this.first = x;
    this.last = x;
    this.inflight++;
    if (x.closeAfter) this.noMore = true;
    const body = x.reqBody;
    const socket = this.socket;
    x.bytesOut += x.head.length;
    if (body === undefined) socket.write(x.head, 'latin1');
    else if (typeof body === 'string') {
      const n = Buffer.byteLength(body);
      x.bytesOut += n;
      if (n === body.length) socket.write(x.head + body, 'latin1');
      else {
        socket.cork();
        socket.write(x.head, 'latin1');
        socket.write(body, 'utf8');
        socket.uncork();
      }
    } else {
      x.bytesOut += body.byteLength;
      socket.cork();
      socket.write(x.head, 'latin1');
      socket.write(body);
      socket.uncork();
    }
  }

  /**
   * Retires the socket. With a `code`, the request whose response was awaited fails with it
   * (unless it already settled); later ones that got no byte of answer go back to the queue if
   * idempotent (the only kind pipelined behind another), else fail with ECONNRESET.
   */
  kill(code: string | undefined, now: number): void {
    if (this.state === C_DEAD) return;
    const wasConnecting = this.state === C_CONNECTING;
    this.state = C_DEAD;
    const pool = this.pool;
    if (wasConnecting) pool.connecting--;
    pool.remove(this);
    this.socket.destroy();
    let x = this.first;
    this.first = this.last = undefined;
    this.inflight = 0;
    let rqFirst: Http1Exchange | undefined;
    let rqLast: Http1Exchange | undefined;
    let rqCount = 0;
    let awaited = code !== undefined;
    while (x) {
      const next = x.next;
      x.next = undefined;
      if (!x.settled) {
        if (awaited || x.answered || !x.idempotent) {
          if (awaited && x.answered) {
            x.bytesIn = this.respBytes;
            x.firstByteAt = this.respFirstByte;
          }
          pool.agent.pending--;
          x.settle(now, awaited ? (code as string) : 'ECONNRESET');
        } else {
          // Written, never answered, idempotent: it goes again, on another socket.
          x.dispatchedAt = Number.NaN;
          x.firstByteAt = Number.NaN;
          x.bytesIn = 0;
          if (rqLast) rqLast.next = x;
          else rqFirst = x;
          rqLast = x;
          rqCount++;
        }
      }
      awaited = false;
      x = next;
    }
    if (rqFirst) pool.requeueFront(rqFirst, rqLast as Http1Exchange, rqCount);
    pool.pump();
  }

  private protocolError(now: number): void {
    this.kill(EPROTO, now);
  }

  private readonly onRead = (nread: number, buf: Buffer): boolean => {
    this.onData(buf.subarray(0, nread));
    return true;
  };

  /** A packet: `chunk` is a view of the shared read buffer, valid only until this returns. */
  private onData(chunk: Buffer): void {
    if (this.state !== C_OPEN) return;
    const now = this.pool.agent.options.now();
    const len = chunk.length;
    let off = 0;
    this.reading = true;
    while (off < len) {
      const x = this.first;
      if (x === undefined) {
        // Bytes nobody asked for.
        this.protocolError(now);
        return;
      }
      if (!x.answered) {
        x.answered = true;
        this.respFirstByte = now;
      }
      switch (this.pst) {
        case S_HEAD: {
          off = this.head(chunk, off, now);
          if (off < 0) return;
          break;
        }
        case S_LENGTH: {
          off = this.countedBody(chunk, off);
          if (this.remaining === 0 && !this.complete(now)) return;
          break;
        }
        case S_CHUNK_DATA: {
          off = this.countedBody(chunk, off);
          if (this.remaining === 0) this.pst = S_CHUNK_DATA_CR;
          break;
        }
        case S_EOF: {
          this.addBody(chunk, off, len);
          off = len;
          break;
        }
        default: {
          off = this.chunkFraming(chunk, off, now);
          if (off < 0) return;
        }
      }
    }
    this.reading = false;
    // Only now, so that stray bytes after a response are not taken for the next one's.
    if (this.inflight === 0 && this.state === C_OPEN) this.pool.release(this, now);
  }

  /** Takes up to `remaining` body bytes from chunk[off...]; returns the offset after them. */
  private countedBody(chunk: Buffer, off: number): number {
    const e = off + Math.min(this.remaining, chunk.length - off);
    this.remaining -= e - off;
    this.addBody(chunk, off, e);
    return e;
  }

  /** Keeps chunk[s, e) as body, and counts it as bytes of the response. */
  private addBody(chunk: Buffer, s: number, e: number): void {
    if (e <= s) return;
    this.respBytes += e - s;
    const piece = copyOf(chunk, s, e);
    if (this.bodyFirst === undefined) this.bodyFirst = piece;
    else if (this.bodyParts === undefined) this.bodyParts = [this.bodyFirst, piece];
    else this.bodyParts.push(piece);
  }

  /** Chunk sizes, extensions, the CRLF after data, trailers. Returns the new offset, or -1 if the socket was retired. */
  private chunkFraming(b: Buffer, off: number, now: number): number {
    const len = b.length;
    const start = off;
    while (off < len) {
      const c = b[off] as number;
      switch (this.pst) {
        case S_CHUNK_SIZE: {
          const h = HEX[c] as number;
          if (h >= 0) {
            if (++this.sizeDigits > 13) return this.fail(now);
            this.remaining = this.remaining * 16 + h;
            off++;
            continue;
          }
          if (this.sizeDigits === 0) return this.fail(now);
          if (c === 13) this.pst = S_CHUNK_SIZE_LF;
          else if (c === 10) return this.sizeLineDone(off + 1, start);
          else if (c === 59 || c === 32 || c === 9) this.pst = S_CHUNK_EXT;
          else return this.fail(now);
          off++;
          continue;
        }
        case S_CHUNK_EXT: {
          // chunk-ext: skipped, up to the line end
          const q = b.indexOf(10, off);
          if (q < 0) {
            off = len;
            continue;
          }
          return this.sizeLineDone(q + 1, start);
        }
        case S_CHUNK_SIZE_LF: {
          if (c !== 10) return this.fail(now);
          return this.sizeLineDone(off + 1, start);
        }
        case S_CHUNK_DATA_CR: {
          if (c === 13) {
            this.pst = S_CHUNK_DATA_LF;
            off++;
            continue;
          }
          if (c !== 10) return this.fail(now);
          return this.chunkDataDone(off + 1, start);
        }
        case S_CHUNK_DATA_LF: {
          if (c !== 10) return this.fail(now);
          return this.chunkDataDone(off + 1, start);
        }
        case S_TRAILERS: {
          // Trailer fields are read and dropped, as the undici path drops them.
          if (++this.headLen > maxHeaderSize) return this.fail(now);
          off++;
          if (c === 10) {
            if (this.scan !== 0) {
              this.respBytes += off - start;
              return this.complete(now) ? off : -1;
            }
            this.scan = 1;
          } else if (c === 13 && this.scan === 1) this.scan = 2;
          else this.scan = 0;
          continue;
        }
        default:
          return this.fail(now);
      }
    }
    this.respBytes += off - start;
    return off;
  }

  /** The chunk-size line ended before `off` (read since `start`): data or trailers follow. */
  private sizeLineDone(off: number, start: number): number {
    this.respBytes += off - start;
    if (this.remaining === 0) {
      this.pst = S_TRAILERS;
      this.scan = 1;
      this.headLen = 0;
    } else this.pst = S_CHUNK_DATA;
    return off;
  }

  /** The CRLF after a chunk's data ended before `off` (read since `start`): a size line follows. */
  private chunkDataDone(off: number, start: number): number {
    this.respBytes += off - start;
    this.startChunk();
    return off;
  }

  private startChunk(): void {
    this.pst = S_CHUNK_SIZE;
    this.remaining = this.sizeDigits = 0;
  }

  private fail(now: number): number {
    this.protocolError(now);
    return -1;
  }

  /**
   * Reads the response head from b[off...]. Returns the offset after it (the parser state then
   * says what follows), b.length if the head goes on in the next packet, or -1 if the socket was
   * retired.
   */
  private head(b: Buffer, off: number, now: number): number {
    const x = this.first as Http1Exchange;
    if (this.headParts === undefined) {
      // Fast path: the whole head in this packet, parsed in place.
      const end = this.parseHead(b, off, b.length);
      if (end === -2) return this.fail(now);
      if (end >= 0) {
        if (end - off > maxHeaderSize) return this.fail(now);
        return this.afterHead(x, end, end - off, now);
      }
      // Not all here: keep the pieces and watch for the empty line, then parse once.
      if (b.length - off > maxHeaderSize) return this.fail(now);
      this.headParts = [copyOf(b, off, b.length)];
      this.headLen = b.length - off;
      this.scan = 0;
      this.scanFrom(b, off);
      return b.length;
    }
    const stop = this.scanFrom(b, off);
    const n = (stop < 0 ? b.length : stop) - off;
    this.headLen += n;
    if (this.headLen > maxHeaderSize) return this.fail(now);
    this.headParts.push(copyOf(b, off, off + n));
    if (stop < 0) return b.length;
    const whole = Buffer.concat(this.headParts, this.headLen);
    this.headParts = undefined;
    if (this.parseHead(whole, 0, whole.length) !== whole.length) return this.fail(now);
    return this.afterHead(x, stop, whole.length, now);
  }

  /** Feeds the end-of-head detector with b[off...]; returns the offset after the empty line, or -1. */
  private scanFrom(b: Buffer, off: number): number {
    let s = this.scan;
    for (let i = off; i < b.length; i++) {
      const c = b[i];
      if (c === 10) {
        if (s !== 0) {
          this.scan = 0;
          return i + 1;
        }
        s = 1;
      } else if (c === 13 && s === 1) s = 2;
      else s = 0;
    }
    this.scan = s;
    return -1;
  }

  /**
   * Parses a status line and header fields from b[p, end). Returns the offset after the empty
   * line, -1 if it is not there yet, -2 if the head is malformed. Sets the status, the framing fields
   * and the header block of the response being read.
   */
  private parseHead(b: Buffer, p: number, end: number): number {
    // Status line: HTTP/1.x SSS[ reason]
    let i = p;
    while (i < end && b[i] !== 10) i++;
    if (i === end) return isStatusPrefix(b, p, end) ? -1 : -2;
    const le = i > p && b[i - 1] === 13 ? i - 1 : i;
    if (
      le - p < 12 ||
      b[p] !== 72 ||
      b[p + 1] !== 84 ||
      b[p + 2] !== 84 ||
      b[p + 3] !== 80 ||
      b[p + 4] !== 47 ||
      b[p + 5] !== 49 ||
      b[p + 6] !== 46 ||
      (b[p + 7] !== 49 && b[p + 7] !== 48) ||
      b[p + 8] !== 32
    )
      return -2;
    const d1 = (b[p + 9] as number) - 48;
    const d2 = (b[p + 10] as number) - 48;
    const d3 = (b[p + 11] as number) - 48;
    if (d1 < 1 || d1 > 9 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9) return -2;
    if (le > p + 12 && b[p + 12] !== 32) return -2;
    for (let k = p + 12; k < le; k++) if (FIELD_CHAR[b[k] as number] !== 1) return -2;
    this.status = d1 * 100 + d2 * 10 + d3;
    this.http10 = b[p + 7] === 48;
    this.contentLength = -1;
    this.te = 0;
    this.connClose = false;
    this.connKeepAlive = false;
    this.keepAliveMs = -1;
    const blockStart = i + 1;
    p = blockStart;
    let lastFraming = false;
    let any = false;
    for (;;) {
      if (p >= end) return -1;
      const c = b[p] as number;
      if (c === 10 || c === 13) {
        // the empty line
        if (c === 13) {
          if (p + 1 >= end) return -1;
          if (b[p + 1] !== 10) return -2;
          this.respHeaders = copyOf(b, blockStart, p);
          return p + 2;
        }
        this.respHeaders = copyOf(b, blockStart, p);
        return p + 1;
      }
      if (c === 32 || c === 9) {
        // obs-fold: continues the previous field; never allowed on a framing field
        if (!any || lastFraming) return -2;
        i = p;
        while (i < end && FIELD_CHAR[b[i] as number] === 1) i++;
        if (i === end) return -1;
        if (b[i] === 13) {
          if (i + 1 >= end) return -1;
          if (b[i + 1] !== 10) return -2;
          i++;
        } else if (b[i] !== 10) return -2;
        p = i + 1;
        continue;
      }
      // field-name ":" OWS field-value OWS
      const ns = p;
      i = p;
      while (i < end && TOKEN[b[i] as number] === 1) i++;
      if (i === end) return -1;
      if (i === ns || b[i] !== 58) return -2;
      const ne = i;
      i++;
      while (i < end && (b[i] === 32 || b[i] === 9)) i++;
      const vs = i;
      while (i < end && FIELD_CHAR[b[i] as number] === 1) i++;
      if (i === end) return -1;
      let ve = i;
      if (b[i] === 13) {
        if (i + 1 >= end) return -1;
        if (b[i + 1] !== 10) return -2;
        i++;
      } else if (b[i] !== 10) return -2;
      while (ve > vs && (b[ve - 1] === 32 || b[ve - 1] === 9)) ve--;
      any = true;
      lastFraming = false;
      const nl = ne - ns;
      if (nl === 14 && nameIs(b, ns, nl, N_CONTENT_LENGTH)) {
        lastFraming = true;
        if (ve === vs || ve - vs > 15) return -2;
        let v = 0;
        for (let k = vs; k < ve; k++) {
          const dg = (b[k] as number) - 48;
          if (dg < 0 || dg > 9) return -2;
          v = v * 10 + dg;
        }
        if (this.contentLength >= 0 && this.contentLength !== v) return -2;
        this.contentLength = v;
      } else if (nl === 17 && nameIs(b, ns, nl, N_TRANSFER_ENCODING)) {
        lastFraming = true;
        let s = ve;
        while (s > vs && b[s - 1] !== 44) s--;
        while (s < ve && (b[s] === 32 || b[s] === 9)) s++;
        this.te = nameIs(b, s, ve - s, N_CHUNKED) ? 1 : 2;
      } else if (nl === 10 && nameIs(b, ns, nl, N_CONNECTION)) {
        if (listHas(b, vs, ve, N_CLOSE)) this.connClose = true;
        if (listHas(b, vs, ve, N_KEEP_ALIVE)) this.connKeepAlive = true;
      } else if (nl === 10 && nameIs(b, ns, nl, N_KEEP_ALIVE)) {
        const ms = keepAliveTimeout(b, vs, ve);
        if (ms >= 0) this.keepAliveMs = ms;
      }
      p = i + 1;
    }
  }

  /** After a head: skip it if interim, else set up the body. Returns the offset, or -1 if the socket was retired. */
  private afterHead(x: Http1Exchange, off: number, headBytes: number, now: number): number {
    this.respBytes += headBytes;
    const status = this.status;
    if (status < 200) {
      // 100 Continue, 103 Early Hints...: not the answer; 101 would switch protocols we never asked for.
      if (status === 101) return this.fail(now);
      this.respHeaders = EMPTY;
      this.respFirstByte = Number.NaN;
      x.answered = false;
      return off;
    }
    // No body, whatever the framing headers say.
    if (x.isHead || status === 204 || status === 304) return this.complete(now) ? off : -1;
    // Both: a smuggling attempt or a broken server (RFC 9112 6.3 allows treating it as an error).
    if (this.te !== 0 && this.contentLength >= 0) return this.fail(now);
    if (this.te === 1) {
      this.startChunk();
      return off;
    }
    if (this.te === 2 || this.contentLength < 0) {
      this.pst = S_EOF;
      return off;
    }
    if (this.contentLength === 0) return this.complete(now) ? off : -1;
    this.pst = S_LENGTH;
    this.remaining = this.contentLength;
    return off;
  }

  /**
   * The response of `first` is complete: resolve it, then reuse or retire the socket. Returns
   * false if the socket was retired (the caller stops reading).
   */
  private complete(now: number): boolean {
    const x = this.first as Http1Exchange;
    const reusable =
      this.pst !== S_EOF && !this.connClose && (!this.http10 || this.connKeepAlive) && !x.closeAfter;
    const pool = this.pool;
    if (!x.settled) {
      // Nothing is written into an exchange that already settled (timed out, aborted): its
      // owner has it.
      x.status = this.status;
      x.headerBlock = this.respHeaders;
      if (this.bodyParts) x.body = Buffer.concat(this.bodyParts);
      else if (this.bodyFirst) x.body = this.bodyFirst;
      x.bytesIn = this.respBytes;
      x.firstByteAt = this.respFirstByte;
      pool.agent.pending--;
      x.settle(now, undefined);
    }
    this.bodyFirst = this.bodyParts = undefined;
    this.respHeaders = EMPTY;
    this.respBytes = 0;
    this.respFirstByte = Number.NaN;
    this.pst = S_HEAD;
    this.first = x.next;
    if (!this.first) this.last = undefined;
    x.next = undefined;
    this.inflight--;
    if (this.keepAliveMs >= 0) {
      const ms = Math.min(this.keepAliveMs, KEEP_ALIVE_MAX_MS) - KEEP_ALIVE_MARGIN_MS;
      this.expiresAt = now + ms;
    } else this.expiresAt = now + KEEP_ALIVE_MS;
    if (!reusable || this.expiresAt <= now) {
      this.kill(undefined, now);
      return false;
    }
    if (this.inflight === 0) {
      if (!this.reading) pool.release(this, now);
    } else if (pool.queued > 0) pool.pump();
    return true;
  }
}

function isStatusPrefix(b: Buffer, p: number, end: number): boolean {
  const want = 'HTTP/1.';
  for (let k = 0; k < 7 && p + k < end; k++) if (b[p + k] !== want.charCodeAt(k)) return false;
  return true;
}
