/**
 * Readers of response header bytes, in place in a Buffer: names compared without case, lists,
 * the Keep-Alive timeout, and the split of a header block into name and value Buffers.
 */
import { N_TIMEOUT } from './byte-tables.ts';

/** Case-insensitive comparison of b[p, p + name.length) with a lower-case token. */
export function nameIs(b: Buffer, p: number, len: number, name: Uint8Array): boolean {
  if (len !== name.length) return false;
  for (let i = 0; i < len; i++) if (((b[p + i] as number) | 0x20) !== name[i]) return false;
  return true;
}

/** Whether b[s, e) holds `token` (lower case) as one element of a comma-separated list, in any case. */
export function listHas(b: Buffer, s: number, e: number, token: Uint8Array): boolean {
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
export function keepAliveTimeout(b: Buffer, s: number, e: number): number {
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

/** Whether b[p, end) could be the start of an HTTP/1.x status line. */
export function isStatusPrefix(b: Buffer, p: number, end: number): boolean {
  const want = 'HTTP/1.';
  for (let k = 0; k < 7 && p + k < end; k++) if (b[p + k] !== want.charCodeAt(k)) return false;
  return true;
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
