/**
 * The checks a request passes before the lean HTTP/1.1 client sends a byte of it: what would let a
 * caller inject a header or a second request (CR/LF in a value, a method or a path with a space),
 * and what the client frames itself and so will not take from the caller (transfer-encoding,
 * upgrade, a connection option other than close/keep-alive, a content-length other than the body's).
 * A request that fails any of them resolves with EINVALIDREQUEST.
 */

/** tchar of RFC 9110, one or more. */
const TOKEN_RE = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
/** What a header value may hold: HTAB, visible ASCII, space, obs-text. No CR, LF, NUL or other controls. */
const BAD_VALUE_RE = /[^\t\x20-\x7e\x80-\xff]/;
/** A request target: no space, no control character, nothing beyond latin1. */
const BAD_PATH_RE = /[^\x21-\x7e\x80-\xff]/;

/**
 * Whether the request line or the body cannot be sent: a method that is not a token, CONNECT, a
 * path that does not start with '/' (but OPTIONS *) or holds a space or a control character, a
 * body that is neither a string nor bytes.
 */
export function requestLineIsBad(method: string, path: string, body: unknown): boolean {
  return (
    !TOKEN_RE.test(method) ||
    method === 'CONNECT' ||
    BAD_PATH_RE.test(path) ||
    !(path.charCodeAt(0) === 47 || (path === '*' && method === 'OPTIONS')) ||
    (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array))
  );
}

/**
 * The text a header value is sent as. A number or a boolean is sent as its text, as undici does;
 * anything else that is not a string becomes a line feed, which `headerFieldIsBad` refuses.
 */
export function headerValueText(raw: unknown): string {
  return typeof raw === 'string'
    ? raw
    : typeof raw === 'number' || typeof raw === 'boolean'
      ? String(raw)
      : '\n';
}

/** Whether a header field would break the head: a name that is not a token, a value with a control character. */
export function headerFieldIsBad(name: string, value: string): boolean {
  return !TOKEN_RE.test(name) || BAD_VALUE_RE.test(value);
}

/** Header names (lower case) the client never takes from the caller: it frames requests itself. */
export function isRefusedHeader(lowerName: string): boolean {
  return lowerName === 'transfer-encoding' || lowerName === 'upgrade';
}

/** What a caller's `connection` header asks: 'close', 'keep-alive', or undefined for anything else (refused). */
export function connectionOption(value: string): 'close' | 'keep-alive' | undefined {
  const cv = value.trim().toLowerCase();
  return cv === 'close' || cv === 'keep-alive' ? cv : undefined;
}

/** Whether a caller's `content-length` (trimmed) is the length the body will be sent with (-1: none, sent as 0). */
export function declaredLengthMatches(declared: string, length: number): boolean {
  return declared === String(length < 0 ? 0 : length);
}
