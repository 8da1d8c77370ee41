/**
 * Lookup tables and constant byte strings of the lean HTTP/1.1 client: character classes indexed by
 * byte value, and the lower-case header names and tokens the response parser compares against.
 */

export const EMPTY = Buffer.alloc(0);

/** tchar of RFC 9110 */
export const TOKEN = new Uint8Array(256);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9!#$%&'*+\-.^_`|~]/.test(ch)) TOKEN[c] = 1;
}
/** What a field value (and a reason phrase) may hold: HTAB, SP, VCHAR, obs-text. */
export const FIELD_CHAR = new Uint8Array(256);
for (let c = 0; c < 256; c++) if (c === 9 || (c >= 32 && c !== 127)) FIELD_CHAR[c] = 1;
/** The value of a hex digit, -1 for any other byte. */
export const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 16; c++) {
  HEX['0123456789abcdef'.charCodeAt(c)] = c;
  HEX['0123456789ABCDEF'.charCodeAt(c)] = c;
}

const lower = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
export const N_CONTENT_LENGTH = lower('content-length');
export const N_TRANSFER_ENCODING = lower('transfer-encoding');
export const N_CONNECTION = lower('connection');
export const N_KEEP_ALIVE = lower('keep-alive');
export const N_CLOSE = lower('close');
export const N_CHUNKED = lower('chunked');
export const N_TIMEOUT = lower('timeout');
