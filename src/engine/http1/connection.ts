/**
 * One keep-alive socket of the lean HTTP/1.1 client: its life (connect, reuse, retirement, death),
 * the pipeline of requests written to it, and what a complete response means for it. The parsing
 * of responses is its base class, ./parser.ts.
 */
import { connect, type Socket } from 'node:net';
import { BODY_TOO_LARGE } from '../errors.ts';
import { EPROTO, type Http1Exchange } from './exchange.ts';
import type { OriginPool } from './origin-pool.ts';
import { Http1ResponseParser, S_EOF } from './parser.ts';
import { writeRequest } from './request-writer.ts';

/** Idle keep-alive time without a server hint; the hint is trusted up to KEEP_ALIVE_MAX_MS. */
const KEEP_ALIVE_MS = 30_000;
const KEEP_ALIVE_MAX_MS = 600_000;
/** Give up on an idle socket this long before the server said it would close it. */
const KEEP_ALIVE_MARGIN_MS = 1_000;

// Connection states
export const C_CONNECTING = 0;
export const C_OPEN = 1;
const C_DEAD = 2;

/** One buffer, shared by every socket of the thread, that reads land in (net's `onread`). */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const readBuffer = () => READ_BUFFER;

export class Http1Connection extends Http1ResponseParser {
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
  /** The server's end of the socket, once connected. */
  remoteAddress: string | undefined = undefined;
  remotePort: number | undefined = undefined;
  /** How long the socket took to connect, until the first request written on it takes it. */
  private unclaimedConnectMs: number | undefined = undefined;

  constructor(readonly pool: OriginPool) {
    super();
    this.maxBodyBytes = pool.agent.options.maxBodyBytes;
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
    this.remoteAddress = this.socket.remoteAddress;
    this.remotePort = this.socket.remotePort;
    pool.connecting--;
    this.expiresAt = now + KEEP_ALIVE_MS;
    this.unclaimedConnectMs = now - this.connectStart;
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
    x.remoteAddress = this.remoteAddress;
    x.remotePort = this.remotePort;
    if (this.unclaimedConnectMs !== undefined) {
      x.connectingMs = this.unclaimedConnectMs;
      this.unclaimedConnectMs = undefined;
    }
    x.next = undefined;
    if (this.last) this.last.next = x;
    else this.first = x;
    this.last = x;
    this.inflight++;
    if (x.closeAfter) this.noMore = true;
    writeRequest(this.socket, x);
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
          x.connectingMs = undefined;
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

  protected protocolError(now: number): void {
    this.kill(EPROTO, now);
  }

  /** The rest of the body is never read: the socket goes, and its request fails. */
  protected bodyTooLarge(now: number): void {
    this.kill(BODY_TOO_LARGE, now);
  }

  private readonly onRead = (nread: number, buf: Buffer): boolean => {
    if (this.state !== C_OPEN) return true;
    const now = this.pool.agent.options.now();
    // Only after the whole packet, so that stray bytes after a response are not taken for the next one's.
    if (this.readPacket(buf.subarray(0, nread), now) && this.inflight === 0 && this.state === C_OPEN)
      this.pool.release(this, now);
    return true;
  };

  protected complete(now: number): boolean {
    const x = this.first as Http1Exchange;
    const reusable = this.responseAllowsReuse() && !x.closeAfter;
    const pool = this.pool;
    if (!x.settled) {
      // Nothing is written into an exchange that already settled (timed out, aborted): its
      // owner has it.
      this.fillResponse(x);
      pool.agent.pending--;
      x.settle(now, undefined);
    }
    this.resetResponse();
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
