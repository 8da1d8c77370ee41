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

/** Walks the text once: keys per object, depth, and the strings that hold escapes. */
function scan(text: string): void {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      let escaped = false;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\') {
          escaped = true;
          j++;
        }
        j++;
      }
      const raw = text.slice(i, j + 1);
      i = j;
      const top = stack[stack.length - 1];
      if (top?.object && top.expectKey) {
        const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        const at = pathOf(stack.slice(0, -1));
        const shown = JSON.stringify(key).slice(1, -1);
        const keyPath = `${at ? `${at}.` : ''}${shown}`;
        if (escaped) checkText(key, keyPath, 'the key');
        if (key === '__proto__')
          throw new RequestBodyError(
            400,
            'forbidden_key',
            'a key named __proto__ is not accepted (in JavaScript it would replace the object\u2019s prototype)',
            keyPath,
          );
        if (top.keys.has(key))
          throw new RequestBodyError(400, 'duplicate_key', 'this key is given twice in its object', keyPath);
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      } else if (escaped) checkText(JSON.parse(raw) as string, pathOf(stack), 'the text');
    } else if (c === '{' || c === '[') {
      if (stack.length >= MAX_DEPTH)
        throw new RequestBodyError(
          422,
          'validation',
          `nested more than ${MAX_DEPTH} levels deep`,
          pathOf(stack),
        );
      stack.push({ object: c === '{', keys: new Set(), key: undefined, index: 0, expectKey: c === '{' });
    } else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.object) top.expectKey = true;
      else if (top) top.index++;
    }
  }
}

export function parseStrictJson(text: string): unknown {
  try {
    scan(text);
    return JSON.parse(text);
  } catch (e) {
    if (e instanceof RequestBodyError) throw e;
    throw new RequestBodyError(400, 'malformed_json', 'the body is not valid JSON');
  }
}
