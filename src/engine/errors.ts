/**
 * Request failures by code. Node's socket codes are kept; undici's own codes are mapped to the
 * socket condition they stand for, so a report says ETIMEDOUT rather than UND_ERR_HEADERS_TIMEOUT.
 * Both HTTP paths (the lean client of http1.ts and undici) end with the same codes:
 *   ECONNREFUSED, ECONNRESET, ...  the socket's own code
 *   ETIMEDOUT        no connection within 10 s, or no complete response within the request timeout
 *   ABORTED          the run stopped it (hard stop, close)
 *   EPROTO           the response broke HTTP/1.1 (status line, header syntax, framing, ...)
 *   EINVALIDREQUEST  the request was refused before anything was sent (a CR/LF in a header value,
 *                    a method or header name that is not a token, a path with a space, ...)
 *   EHTTP2           http.version 2 and the server did not agree to HTTP/2 (or an http: origin)
 *   BODY_TOO_LARGE   the response body passed http.maxBodyBytes (a body the flow discards is
 *                    read and dropped, never kept, and has no cap)
 *   TLS codes        a refused certificate keeps Node's code (DEPTH_ZERO_SELF_SIGNED_CERT, ...)
 */
const UNDICI_CODES: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CLOSED: 'ECONNRESET',
  UND_ERR_DESTROYED: 'ECONNRESET',
  UND_ERR_ABORTED: 'ABORTED',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'EINVALIDREQUEST',
  UND_ERR_INVALID_ARG: 'EINVALIDREQUEST',
  UND_ERR_NOT_SUPPORTED: 'EINVALIDREQUEST',
  ERR_INVALID_URL: 'EINVALIDREQUEST',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'EPROTO',
  UND_ERR_INFO: 'EPROTO',
  HPE_INVALID_CONSTANT: 'EPROTO',
};

export function errorCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown }; name?: string };
  const code =
    typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  if (code) return UNDICI_CODES[code] ?? (code.startsWith('HPE_') ? 'EPROTO' : code);
  if (e?.name === 'AbortError') return 'ABORTED';
  return 'EUNKNOWN';
}

/** Thrown into a request that ran past its timeout. */
export class RequestTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

/** A response whose body passed the cap on what one response may keep in memory (`http.maxBodyBytes`). */
export const BODY_TOO_LARGE = 'BODY_TOO_LARGE';

/** What the run's log says, once per thread, when a response failed with BODY_TOO_LARGE. */
export function bodyTooLargeMessage(maxBodyBytes: number): string {
  return (
    `a response body passed http.maxBodyBytes (${maxBodyBytes} bytes kept in memory per response): ` +
    "the request failed with BODY_TOO_LARGE; raise http.maxBodyBytes, or discard the body (discardBody: true; k6: responseType 'none')"
  );
}
