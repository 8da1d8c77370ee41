/**
 * Request failures by code. Node's socket codes are kept; undici's own codes are mapped to the
 * socket condition they stand for, so a report says ETIMEDOUT rather than UND_ERR_HEADERS_TIMEOUT.
 */
const UNDICI_CODES: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CLOSED: 'ECONNRESET',
  UND_ERR_DESTROYED: 'ECONNRESET',
  UND_ERR_ABORTED: 'ABORTED',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'EPROTO',
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
