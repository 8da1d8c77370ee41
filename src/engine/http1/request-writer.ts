/**
 * Request serialisation of the lean HTTP/1.1 client: a request becomes an Http1Exchange holding its
 * head as one latin1 string (request line, host, the caller's headers, content-length), checked on
 * the way by ./request-validation.ts; and, once a socket takes it, the head and body go out in as
 * few writes as they can.
 */
import type { Socket } from 'node:net';
import type { RawRequest } from '../http-client.ts';
import { EINVALIDREQUEST, Http1Exchange } from './exchange.ts';
import {
  connectionOption,
  declaredLengthMatches,
  headerFieldIsBad,
  headerValueText,
  isRefusedHeader,
  requestLineIsBad,
} from './request-validation.ts';

/** Methods a request may be sent again with, and pipelined behind another. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);
/** Methods that send `content-length: 0` without a body. */
const PAYLOAD_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The exchange for a request, with its head serialized, or with `error` set if it must not be sent.
 * `hostHeader` is the origin's host (with its port unless default); a caller's `host` header replaces it.
 * Must be called right after `new Promise(capture)`: see the promise-capture trick in ./exchange.ts.
 */
export function prepareExchange(req: RawRequest, hostHeader: string, now: number): Http1Exchange {
  const method = req.method;
  const headers = req.headers;
  const body = req.body;
  const path = req.path;
  let bad = requestLineIsBad(method, path, body);
  let host = hostHeader;
  let lines = '';
  let closeAfter = false;
  let declaredLength: string | undefined;
  for (const k in headers) {
    const v = headerValueText(headers[k] as unknown);
    if (headerFieldIsBad(k, v)) {
      bad = true;
      break;
    }
    // Only names of these lengths need a second look: host, upgrade, connection, content-length,
    // transfer-encoding.
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
      if (isRefusedHeader(lk)) {
        bad = true;
        break;
      }
      if (lk === 'connection') {
        const option = connectionOption(v);
        if (option === 'close') closeAfter = true;
        else if (option === undefined) {
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
  if (declaredLength !== undefined && !declaredLengthMatches(declaredLength, length)) bad = true;
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
  if (req.discardBody === true) x.discardBody = true;
  return x;
}

/**
 * Writes an exchange's head and body to a socket and counts them in its `bytesOut`: one write when
 * the body is absent or a string of single-byte characters, else head and body corked together.
 */
export function writeRequest(socket: Socket, x: Http1Exchange): void {
  const body = x.reqBody;
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
