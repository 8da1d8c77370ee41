/**
 * The services' JSON body parser. JSON.parse alone lets through what later breaks a request in
 * the database or changes its meaning: a key given twice (the last one would win, so a second
 * `subject_id` would change whose event it is), a `__proto__` key, strings PostgreSQL cannot
 * store (NUL, a lone UTF-16 surrogate) and nesting deep enough to exhaust a recursive reader.
 * Each is refused here, before any handler runs, naming the field's path.
 */

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

const QUOTE = 34;
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

export function parseStrictJson(text: string): unknown {
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
