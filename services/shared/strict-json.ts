/**
 * The services' JSON body parser. JSON.parse alone lets through what later breaks a request in
 * the database or changes its meaning: a key given twice (the last one would win, so a second
 * `subject_id` would change whose event it is), a `__proto__` key, strings PostgreSQL cannot
 * store (NUL, a lone UTF-16 surrogate), nesting deep enough to exhaust a recursive reader, and
 * what would be stored other than as sent: bytes that are not UTF-8 (decoding would make them
 * U+FFFD) and numbers a double does not hold as written (`1e400` would become null, 30 digits
 * would be rounded). Each is refused here, before any handler runs, naming the field's path.
 */
import { isUtf8 } from 'node:buffer';

export class RequestBodyError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail: string,
    readonly path?: string,
  ) {
    super(path === undefined ? detail : `${path || '(body)'}: ${detail}`);
  }
}

/** Deepest nesting of objects and arrays a body may have. */
export const MAX_DEPTH = 32;

interface Frame {
  object: boolean;
  keys: Set<string>;
  key: string | undefined;
  index: number;
  expectKey: boolean;
}

/** `a.b[2].c`: keys printed as JSON would escape them, so a path never holds a control character. */
function pathOf(stack: Frame[]): string {
  let path = '';
  for (const f of stack) {
    if (f.object) {
      if (f.key !== undefined) path += `${path ? '.' : ''}${JSON.stringify(f.key).slice(1, -1)}`;
    } else path += `[${f.index}]`;
  }
  return path;
}

// In a `u` regular expression a surrogate pair is one code point, so only a lone half matches.
const LONE_SURROGATE = /\p{Surrogate}/u;

function checkText(s: string, path: string, what: string): void {
  if (s.includes('\u0000'))
    throw new RequestBodyError(
      422,
      'validation',
      `${what} contains a NUL character (\\u0000), which is not accepted`,
      path,
    );
  if (LONE_SURROGATE.test(s))
    throw new RequestBodyError(
      422,
      'validation',
      `${what} contains a lone UTF-16 surrogate: it is not valid Unicode`,
      path,
    );
}

/** `-12.5e3` as sign, significant digits and exponent (`-125e2`), so two spellings compare equal. */
function decimalOf(text: string): string | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined; // Infinity, NaN
  const fraction = m[3] ?? '';
  let digits = `${m[2]}${fraction}`.replace(/^0+/, '');
  if (digits === '') return '0';
  let exponent = Number(m[4] ?? 0) - fraction.length;
  const significant = digits.replace(/0+$/, '');
  exponent += digits.length - significant.length;
  digits = significant;
  return `${m[1]}${digits}e${exponent}`;
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Throws when the number written at `at` would not be stored as written. */
function checkNumber(text: string, at: number, stack: Frame[]): number {
  NUMBER.lastIndex = at;
  const m = NUMBER.exec(text);
  if (!m) return at; // not a number after all: JSON.parse will say what is wrong
  const written = m[0];
  // At most 15 significant digits and no exponent: a double holds it exactly (the usual case).
  if (written.length <= 15 && !written.includes('e') && !written.includes('E'))
    return at + written.length - 1;
  const value = Number(written);
  if (decimalOf(written) !== decimalOf(String(value))) {
    const shown = written.length > 40 ? `${written.slice(0, 37)}...` : written;
    throw new RequestBodyError(
      422,
      'validation',
      Number.isFinite(value)
        ? `the number ${shown} would be stored as ${value}: send at most 15-17 significant digits (integers up to 2^53)`
        : `the number ${shown} is beyond the range of a double: it would be stored as null`,
      pathOf(stack),
    );
  }
  return at + written.length - 1;
}

const QUOTE = 34;
const MINUS = 45;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const BACKSLASH = 92;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const COMMA = 44;

/**
 * Walks the text: keys per object, depth, and the strings that hold escapes; throws at the first
 * problem with its path. Strings are skipped with indexOf, not a character at a time. Returns
 * how many keys the text holds, so that a duplicate can be found by count alone (see below).
 */
function scan(text: string, keepKeys: boolean): number {
  let keys = 0;
  const stack: Frame[] = [];
  const n = text.length;
  // Where the next backslash is: a string holds an escape when it comes before the string's end.
  let nextBackslash = text.indexOf('\\');
  if (nextBackslash < 0) nextBackslash = n;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = text.indexOf('"', i + 1);
      while (end > 0) {
        let k = end - 1;
        while (text.charCodeAt(k) === BACKSLASH) k--;
        if ((end - 1 - k) % 2 === 0) break; // not escaped: the string's end
        end = text.indexOf('"', end + 1);
      }
      if (end < 0) end = n - 1; // unterminated: JSON.parse will say so
      if (nextBackslash < i) {
        nextBackslash = text.indexOf('\\', i);
        if (nextBackslash < 0) nextBackslash = n;
      }
      const escaped = nextBackslash < end;
      const top = stack[stack.length - 1];
      if (top?.object && top.expectKey) {
        keys++;
        top.expectKey = false;
        if (!keepKeys && !escaped) {
          i = end;
          continue;
        }
        const raw = text.slice(i, end + 1);
        const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (escaped || key === '__proto__' || top.keys.has(key)) {
          const at = pathOf(stack.slice(0, -1));
          const keyPath = `${at ? `${at}.` : ''}${JSON.stringify(key).slice(1, -1)}`;
          if (escaped) checkText(key, keyPath, 'the key');
          if (key === '__proto__')
            throw new RequestBodyError(
              400,
              'forbidden_key',
              'a key named __proto__ is not accepted (in JavaScript it would replace the object\u2019s prototype)',
              keyPath,
            );
          if (top.keys.has(key))
            throw new RequestBodyError(
              400,
              'duplicate_key',
              'this key is given twice in its object',
              keyPath,
            );
        }
        top.keys.add(key);
        top.key = key;
      } else if (escaped) checkText(JSON.parse(text.slice(i, end + 1)) as string, pathOf(stack), 'the text');
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (stack.length >= MAX_DEPTH)
        throw new RequestBodyError(
          422,
          'validation',
          `nested more than ${MAX_DEPTH} levels deep`,
          pathOf(stack),
        );
      const object = c === OPEN_OBJECT;
      stack.push({ object, keys: new Set(), key: undefined, index: 0, expectKey: object });
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) stack.pop();
    else if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) i = checkNumber(text, i, stack);
    else if (c === COMMA) {
      const top = stack[stack.length - 1];
      if (top?.object) top.expectKey = true;
      else if (top) top.index++;
    }
  }
  return keys;
}

/** Own keys of every object in a parsed value. */
function countKeys(value: unknown): number {
  let keys = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') pending.push(x);
      continue;
    }
    for (const k in v) {
      keys++;
      const x = (v as Record<string, unknown>)[k];
      if (x !== null && typeof x === 'object') pending.push(x);
    }
  }
  return keys;
}

/** Index of the first byte that does not begin a valid UTF-8 sequence (RFC 3629), or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const more =
      lead >= 0xc2 && lead <= 0xdf
        ? 1
        : lead >= 0xe0 && lead <= 0xef
          ? 2
          : lead >= 0xf0 && lead <= 0xf4
            ? 3
            : 0;
    if (more === 0 || i + more >= bytes.length) return i;
    for (let k = 1; k <= more; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return i;
    const second = bytes[i + 1] as number;
    // Overlong forms, UTF-16 surrogates (U+D800-DFFF), and code points past U+10FFFF.
    if (
      (lead === 0xe0 && second < 0xa0) ||
      (lead === 0xed && second > 0x9f) ||
      (lead === 0xf0 && second < 0x90) ||
      (lead === 0xf4 && second > 0x8f)
    )
      return i;
    i += more + 1;
  }
  return -1;
}

/**
 * A body that is not UTF-8: the string holding the first bad byte is named. The byte is put in
 * the text as an escaped NUL, which the walk refuses with the string's path; that refusal is
 * then told as what it is.
 */
function refuseInvalidUtf8(bytes: Buffer, at: number): never {
  const before = bytes.subarray(0, at).toString('utf8');
  const byte = `\\x${(bytes[at] as number).toString(16).padStart(2, '0')}`;
  const marked = `${before}\\u0000${bytes.subarray(at + 1).toString('utf8')}`;
  try {
    scan(marked, true);
  } catch (e) {
    if (!(e instanceof RequestBodyError) || !/NUL/.test(e.detail) || before.includes('\\u0000')) throw e;
    throw new RequestBodyError(
      422,
      'validation',
      `holds bytes that are not UTF-8 (byte ${at} of the body is 0${byte.slice(1)}); send UTF-8 text`,
      e.path?.replace('\\u0000', byte),
    );
  }
  throw new RequestBodyError(400, 'malformed_json', `the body is not UTF-8 JSON (byte ${at})`);
}

/** Parses a request body (its bytes, or text already decoded), refusing what is described above. */
export function parseStrictJson(body: string | Buffer): unknown {
  let text: string;
  if (typeof body === 'string') text = body;
  else {
    const at = isUtf8(body) ? -1 : firstInvalidUtf8(body);
    if (at >= 0) refuseInvalidUtf8(body, at);
    text = body.toString('utf8');
  }
  try {
    // A key given twice leaves the parsed value with fewer keys than the text names: counting is
    // cheap, and only then (or with a __proto__ somewhere) is every key compared, to name it.
    let named: number;
    try {
      named = scan(text, text.includes('__proto__'));
    } catch (e) {
      // The fast walk keeps no key names: walk again with them, for the path.
      if (e instanceof RequestBodyError) scan(text, true);
      throw e;
    }
    const value = JSON.parse(text);
    if (countKeys(value) !== named) scan(text, true);
    return value;
  } catch (e) {
    if (e instanceof RequestBodyError) throw e;
    throw new RequestBodyError(400, 'malformed_json', 'the body is not valid JSON');
  }
}
