/**
 * One request of the lean HTTP/1.1 client and, once answered, its response: the one object a
 * request costs on the hot path. Also the codes a request may end with that only this client
 * produces.
 */
import type { RawResponse, RequestScope } from '../http-client.ts';
import { EMPTY } from './byte-tables.ts';
import { splitHeaderBlock } from './header-bytes.ts';

/** A response that breaks HTTP/1.1. */
export const EPROTO = 'EPROTO';
/** A request refused before anything was sent (CR/LF injection, a bad method, ...). */
export const EINVALIDREQUEST = 'EINVALIDREQUEST';

/*
 * The promise-capture trick. `Http1Agent.send` must return a promise and hand its resolve to the
 * exchange it builds. The usual `new Promise((resolve) => { ... })` allocates a closure per request
 * on the hot path; instead every promise is made with the same module-level executor, `capture`,
 * which parks `resolve` in the module variable `captured`, and the Http1Exchange constructor takes
 * it from there.
 *
 * Why it is safe: a Promise executor runs synchronously, inside `new Promise(capture)`, so
 * `captured` holds that promise's resolve as soon as the constructor returns. `send` then builds
 * exactly one exchange, on every path (an origin that is not a URL included), before it returns,
 * and nothing between the two awaits or calls code outside the client (the request's fields are
 * plain data the HttpClient made), so no other `send` can run in between and overwrite `captured`.
 * Each exchange therefore gets the resolve of the promise its own `send` returns. An exchange must
 * never be constructed anywhere but right after `new Promise(capture)`.
 */
let captured: ((r: RawResponse) => void) | undefined;
/** The one executor of every promise `Http1Agent.send` returns; see the promise-capture trick above. */
export const capture = (resolve: (r: RawResponse) => void) => {
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
  /** The server's end of the connection it was last written on. */
  remoteAddress: string | undefined = undefined;
  remotePort: number | undefined = undefined;
  /** How long its connection took to open, when it was the first request written on it. */
  connectingMs: number | undefined = undefined;

  resolve: ((r: RawResponse) => void) | undefined;
  /** Next in the pool's queue or in a socket's pipeline. */
  next: Http1Exchange | undefined = undefined;
  settled = false;
  /** A byte of its response has been read. */
  answered = false;
  /** Its response body is read and dropped, never kept. */
  discardBody = false;

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
    // The resolve of the promise made just before by `new Promise(capture)`.
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
