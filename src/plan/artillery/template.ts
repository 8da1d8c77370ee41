/**
 * Artillery's `{{ }}` templates, rendered as Artillery renders them:
 * - a string that is one template and nothing else keeps the variable's type (`"{{ id }}"` may
 *   give a number or an object);
 * - inside a longer string, objects are written as JSON and a missing variable as `undefined`;
 * - names are lodash-style paths (`user.ids[0]`, `$env.TOKEN`), tried first as a whole key;
 * - `{{ $randomNumber(1, 10) }}` and `{{ $randomString(8) }}` are function calls; their result
 *   is text, and the string's variables are rendered afterwards;
 * - objects and arrays are rendered deeply, keys included, into a copy.
 */
import { LIMITS } from '../limits.ts';

export interface TemplateContext {
  vars: Record<string, unknown>;
  funcs?: Record<string, (...args: unknown[]) => unknown>;
}

/** One `{{ $name(args) }}` call: Artillery renders the first one, then the result again. */
const FUNC_CALL = /{{\s*(\$[A-Za-z0-9_]+)\s*\(\s*([A-Za-z0-9_,\s.'"-]*)\s*\)\s*}}/;
/** A variable reference; `{{{ x }}}` is accepted as well. */
const VARIABLE = /{{{?[\s$\w.[\]'"-]+}}}?/g;

/** Functions every Artillery context offers. */
export const TEMPLATE_FUNCTIONS = ['$randomNumber', '$randomString'] as const;

/** An integer from min to max, both included (lodash's random with integers). */
export function randomNumber(min: unknown = 0, max: unknown = 1): number {
  let lo = Number(min);
  let hi = Number(max);
  if (!Number.isFinite(lo)) lo = 0;
  if (!Number.isFinite(hi)) hi = 1;
  if (lo > hi) [lo, hi] = [hi, lo];
  lo = Math.ceil(lo);
  hi = Math.floor(hi);
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Random lowercase letters and digits, `length` of them (10 by default). Past the limit it
 * throws: a billion characters would keep the thread busy for minutes, deaf to signals.
 */
export function randomString(length: unknown = 10): string {
  const n = Math.max(0, Math.floor(Number(length) || 0));
  if (n > LIMITS.randomStringLength)
    throw new RangeError(`$randomString(${n}): at most ${LIMITS.randomStringLength} characters`);
  let out = '';
  for (let i = 0; i < n; i++) out += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return out;
}

export const DEFAULT_FUNCS: Record<string, (...args: unknown[]) => unknown> = {
  $randomNumber: (a, b) => randomNumber(a, b),
  $randomString: (n) => randomString(n),
};

/** Path segments of a lodash-style path: `a.b[0]["c d"]` → a, b, 0, c d. */
export function pathSegments(path: string): string[] {
  const out: string[] = [];
  const re = /[^.[\]]+|\[(?:(-?\d+)|(["'])(.*?)\2)\]/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[3] !== undefined) out.push(m[3]);
    else out.push(m[0]);
  }
  return out;
}

/** lodash `get`: the whole path as a key first, then segment by segment. */
export function getPath(obj: unknown, path: string): unknown {
  if (obj === null || obj === undefined) return undefined;
  if (typeof obj === 'object' && path in (obj as object)) return (obj as Record<string, unknown>)[path];
  let cur: unknown = obj;
  for (const seg of pathSegments(path)) {
    if (cur === null || cur === undefined) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** lodash `has`: every segment of the path exists. */
export function hasPath(obj: unknown, path: string): boolean {
  if (obj === null || typeof obj !== 'object') return false;
  let cur: unknown = obj;
  for (const seg of pathSegments(path)) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, seg)) return false;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return true;
}

/** lodash `set`: creates objects (or arrays, for numeric segments) on the way. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = pathSegments(path);
  if (segs.length === 0) return;
  let cur: Record<string, unknown> = obj;
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i] as string;
    let next = cur[seg];
    if (next === null || typeof next !== 'object') {
      next = /^\d+$/.test(segs[i + 1] as string) ? [] : {};
      cur[seg] = next;
    }
    cur = next as Record<string, unknown>;
  }
  cur[segs[segs.length - 1] as string] = value;
}

function parseArgs(text: string): unknown[] {
  if (text.trim() === '') return [];
  return text.split(',').map((a) => {
    const s = a.trim();
    if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
    const q = /^(['"])(.*)\1$/.exec(s);
    return q ? q[2] : undefined;
  });
}

function renderString(text: string, ctx: TemplateContext): unknown {
  if (!text.includes('{{')) return text;
  // Calls first, left to right, in one pass: a string may hold thousands of them (rendering one
  // and starting again recursed once per call, and overflowed the stack). Then the variables.
  const calls = new RegExp(FUNC_CALL.source, 'g');
  let s = '';
  let from = 0;
  for (let call = calls.exec(text); call; call = calls.exec(text)) {
    const fn = (ctx.funcs ?? DEFAULT_FUNCS)[call[1] as string] ?? DEFAULT_FUNCS[call[1] as string];
    if (!fn) return s + text.slice(from);
    s += text.slice(from, call.index) + String(fn(...parseArgs(call[2] as string)));
    from = calls.lastIndex;
  }
  s += text.slice(from);
  const matches = s.match(VARIABLE);
  if (!matches) return s;
  if (matches.length === 1 && matches[0] === s) return getPath(ctx.vars, s.replace(/[{}]/g, '').trim());
  return s.replace(VARIABLE, (m) => {
    const v = getPath(ctx.vars, m.replace(/[{}]/g, '').trim());
    return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  });
}

/** Renders a value: strings, and objects and arrays deeply (into a copy). Other values as they are. */
export function template(value: unknown, ctx: TemplateContext): unknown {
  if (typeof value === 'string') return renderString(value, ctx);
  if (Array.isArray(value)) return value.map((v) => template(v, ctx));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = k.includes('{{') ? String(renderString(k, ctx)) : k;
      out[key] = template(v, ctx);
    }
    return out;
  }
  return value;
}

/** Renders to text (for URLs, headers, form fields). */
export function templateText(value: unknown, ctx: TemplateContext): string {
  const v = template(value, ctx);
  if (v === undefined || v === null) return String(v);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Every `{{ $fn( }}` call named in a value, for checking them before the run. */
export function templateFunctionsIn(value: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/{{\s*(\$[A-Za-z0-9_]+)\s*\(/g)) out.push(m[1] as string);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        visit(k);
        visit(x);
      }
    }
  };
  visit(value);
  return out;
}

/** What may stand between `{{` and `}}`: a variable path, or a call such as `$randomNumber(1, 6)`. */
const VARIABLE_BODY = /^\s*[$\w.[\]'"-]+(?:\s+[$\w.[\]'"-]+)*\s*$/;
const CALL_BODY = /^\s*\$[A-Za-z0-9_]+\s*\(\s*[A-Za-z0-9_,\s.'"-]*\s*\)\s*$/;

/**
 * Why a string's templates cannot be rendered, or undefined when they can (or it has none). A
 * template Artillery cannot read is sent as it is written: `/{{ $randomNumber(1,` would reach
 * the server, or be refused as an invalid request, on every iteration.
 */
export function templateSyntaxProblem(text: string): string | undefined {
  let from = 0;
  for (;;) {
    const open = text.indexOf('{{', from);
    if (open < 0) return undefined;
    const close = text.indexOf('}}', open + 2);
    if (close < 0) return `unclosed template: "${excerpt(text.slice(open))}" has no closing }}`;
    const body = text.slice(open + 2, close).replace(/^\{/, '');
    const tooLong = /^\s*\$randomString\s*\(\s*(\d+)/.exec(body);
    if (tooLong && Number(tooLong[1]) > LIMITS.randomStringLength)
      return `"${excerpt(text.slice(open, close + 2))}": at most ${LIMITS.randomStringLength} characters`;
    if (!VARIABLE_BODY.test(body) && !CALL_BODY.test(body)) {
      const shown = excerpt(text.slice(open, close + 2));
      return body.trim() === ''
        ? `empty template "${shown}"`
        : `malformed template "${shown}": expected a variable ({{ name }}) or a call ({{ $randomNumber(1, 10) }})`;
    }
    from = close + 2;
  }
}

function excerpt(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}
