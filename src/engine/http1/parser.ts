/**
 * The response parser of the lean HTTP/1.1 client: an incremental state machine over the packets
 * of one socket (status line and header fields, then a body counted by Content-Length, chunked,
 * or delimited by the close; interim 1xx responses skipped). A response that arrives in one packet
 * is parsed in place in the shared read buffer; only its header block and body are copied out.
 *
 * It is the base class of the connection (./connection.ts) rather than an object of its own, so
 * that the parser state and the socket's pipeline are one object on the hot path. The connection
 * decides what a complete response means for the socket (`complete`) and retires it on a broken
 * one (`protocolError`); the parser only reads.
 */
import { maxHeaderSize } from 'node:http';
import {
  EMPTY,
  FIELD_CHAR,
  HEX,
  N_CHUNKED,
  N_CLOSE,
  N_CONNECTION,
  N_CONTENT_LENGTH,
  N_KEEP_ALIVE,
  N_TRANSFER_ENCODING,
  TOKEN,
} from './byte-tables.ts';
import type { Http1Exchange } from './exchange.ts';
import { isStatusPrefix, keepAliveTimeout, listHas, nameIs } from './header-bytes.ts';

// Parser states
export const S_HEAD = 0;
const S_LENGTH = 1;
const S_CHUNK_SIZE = 2;
const S_CHUNK_EXT = 3;
const S_CHUNK_SIZE_LF = 4;
const S_CHUNK_DATA = 5;
const S_CHUNK_DATA_CR = 6;
const S_CHUNK_DATA_LF = 7;
const S_TRAILERS = 8;
/** A body delimited by the close of the socket. */
export const S_EOF = 9;

/** A copy of b[s, e) that outlives the shared read buffer. */
function copyOf(b: Buffer, s: number, e: number): Buffer {
  if (e <= s) return EMPTY;
  const out = Buffer.allocUnsafe(e - s);
  b.copy(out, 0, s, e);
  return out;
}

export abstract class Http1ResponseParser {
  /** The written request whose response is read next (the oldest of the socket's pipeline). */
  abstract first: Http1Exchange | undefined;
  /**
   * The response of `first` is complete: resolve it, then reuse or retire the socket. Returns
   * false if the socket was retired (the parser stops reading).
   */
  protected abstract complete(now: number): boolean;
  /** The response broke HTTP/1.1: the socket is retired. */
  protected abstract protocolError(now: number): void;
  /** The response's body passed `maxBodyBytes`: the request fails and the socket is retired. */
  protected abstract bodyTooLarge(now: number): void;
  /** The most body bytes one response keeps (a body its request discards is not kept, nor capped). */
  protected maxBodyBytes = Number.POSITIVE_INFINITY;

  /** Inside readPacket: a socket left with nothing in flight is released at the end of the packet. */
  protected reading = false;

  // parser state, per response
  protected pst = S_HEAD;
  private remaining = 0;
  private sizeDigits = 0;
  private status = 0;
  protected http10 = false;
  private contentLength = -1;
  /** 0 none, 1 chunked last, 2 another coding last */
  private te = 0;
  protected connClose = false;
  protected connKeepAlive = false;
  protected keepAliveMs = -1;
  private headParts: Buffer[] | undefined;
  private headLen = 0;
  /** End-of-head (and end-of-trailers) detector: 0 in a line, 1 after LF, 2 after LF CR. */
  private scan = 0;
  private bodyFirst: Buffer | undefined;
  /** Of the response being read: its bytes so far, the time of its first byte, its header block. */
  protected respBytes = 0;
  protected respFirstByte = Number.NaN;
  private respHeaders: Buffer = EMPTY;
  private bodyParts: Buffer[] | undefined;
  /** Body bytes of the response being read that were kept. */
  private bodyKept = 0;

  /** Whether the response just read lets the socket carry another (framing and Connection headers). */
  protected responseAllowsReuse(): boolean {
    return this.pst !== S_EOF && !this.connClose && (!this.http10 || this.connKeepAlive);
  }

  /** Writes the response just read into its exchange: status, header block, body, bytes, first byte. */
  protected fillResponse(x: Http1Exchange): void {
    x.status = this.status;
    x.headerBlock = this.respHeaders;
    if (this.bodyParts) x.body = Buffer.concat(this.bodyParts);
    else if (this.bodyFirst) x.body = this.bodyFirst;
    x.bytesIn = this.respBytes;
    x.firstByteAt = this.respFirstByte;
  }

  /** Forgets the response just read: the next one starts with its head. */
  protected resetResponse(): void {
    this.bodyFirst = this.bodyParts = undefined;
    this.bodyKept = 0;
    this.respHeaders = EMPTY;
    this.respBytes = 0;
    this.respFirstByte = Number.NaN;
    this.pst = S_HEAD;
  }

  /**
   * A packet: `chunk` is a view of the shared read buffer, valid only until this returns. Returns
   * true when it was read to its end, false when the socket was retired on the way.
   */
  protected readPacket(chunk: Buffer, now: number): boolean {
    const len = chunk.length;
    let off = 0;
    this.reading = true;
    while (off < len) {
      const x = this.first;
      if (x === undefined) {
        // Bytes nobody asked for.
        this.protocolError(now);
        return false;
      }
      if (!x.answered) {
        x.answered = true;
        this.respFirstByte = now;
      }
      switch (this.pst) {
        case S_HEAD: {
          off = this.head(chunk, off, now);
          if (off < 0) return false;
          break;
        }
        case S_LENGTH: {
          off = this.countedBody(x, chunk, off);
          if (off < 0) return this.overCap(now);
          if (this.remaining === 0 && !this.complete(now)) return false;
          break;
        }
        case S_CHUNK_DATA: {
          off = this.countedBody(x, chunk, off);
          if (off < 0) return this.overCap(now);
          if (this.remaining === 0) this.pst = S_CHUNK_DATA_CR;
          break;
        }
        case S_EOF: {
          if (!this.addBody(x, chunk, off, len)) return this.overCap(now);
          off = len;
          break;
        }
        default: {
          off = this.chunkFraming(chunk, off, now);
          if (off < 0) return false;
        }
      }
    }
    this.reading = false;
    return true;
  }

  /**
   * Takes up to `remaining` body bytes from chunk[off...]; returns the offset after them, or -1
   * when they take the body past the cap.
   */
  private countedBody(x: Http1Exchange, chunk: Buffer, off: number): number {
    const e = off + Math.min(this.remaining, chunk.length - off);
    this.remaining -= e - off;
    return this.addBody(x, chunk, off, e) ? e : -1;
  }

  /**
   * Counts chunk[s, e) as bytes of the response and keeps it as body, unless the request discards
   * its body. Returns false when the bytes kept would pass the cap (nothing more is kept).
   */
  private addBody(x: Http1Exchange, chunk: Buffer, s: number, e: number): boolean {
    if (e <= s) return true;
    this.respBytes += e - s;
    if (x.discardBody) return true;
    this.bodyKept += e - s;
    if (this.bodyKept > this.maxBodyBytes) {
      this.bodyFirst = this.bodyParts = undefined;
      return false;
    }
    const piece = copyOf(chunk, s, e);
    if (this.bodyFirst === undefined) this.bodyFirst = piece;
    else if (this.bodyParts === undefined) this.bodyParts = [this.bodyFirst, piece];
    else this.bodyParts.push(piece);
    return true;
  }

  private overCap(now: number): false {
    this.bodyTooLarge(now);
    return false;
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
    // A body announced past the cap fails before a byte of it is read.
    if (!x.discardBody && this.contentLength > this.maxBodyBytes) {
      this.bodyTooLarge(now);
      return -1;
    }
    this.pst = S_LENGTH;
    this.remaining = this.contentLength;
    return off;
  }
}
