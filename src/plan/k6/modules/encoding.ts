/** `k6/encoding`: base64 in its four alphabets. */
import { arrayBufferOf } from '../bytes.ts';

type Alphabet = 'std' | 'rawstd' | 'url' | 'rawurl';

function bytesOf(input: string | ArrayBuffer): Buffer {
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(new Uint8Array(input));
}

export function b64encode(input: string | ArrayBuffer, encoding: Alphabet = 'std'): string {
  const b = bytesOf(input);
  if (encoding === 'url') return b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
  if (encoding === 'rawurl') return b.toString('base64url');
  const s = b.toString('base64');
  return encoding === 'rawstd' ? s.replace(/=+$/, '') : s;
}

export function b64decode(input: string, encoding: Alphabet = 'std', format?: 's'): string | ArrayBuffer {
  const b = Buffer.from(input, encoding === 'url' || encoding === 'rawurl' ? 'base64url' : 'base64');
  if (format === 's') return b.toString('utf8');
  return arrayBufferOf(b);
}

export default { b64encode, b64decode };
