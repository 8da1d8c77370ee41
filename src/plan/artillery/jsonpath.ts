/**
 * The JSONPath that Artillery captures use (`capture: - json: "$.items[0].id"`), parsed once
 * before the run. Supported: `$`, `.name`, `['name']`, `[0]`, `[-1]`, `[*]`, `.*`, `..name`,
 * `..*`, unions `[0,2]` / `['a','b']`, slices `[1:3]`, and filters `[?(@.status == 'open')]`
 * comparing a path of `@` with a number or a quoted string (`==`, `!=`, `<`, `<=`, `>`, `>=`) or
 * testing that it exists (`[?(@.id)]`). A leading `$` may be left out.
 */

export class JsonPathError extends Error {}

type Selector =
  | { kind: 'name'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'union'; items: (string | number)[] }
  | { kind: 'slice'; start?: number; end?: number; step?: number }
  | { kind: 'filter'; path: string[]; op?: string; value?: string | number | boolean | null };

type Segment = { recursive: boolean; selector: Selector };

export interface CompiledJsonPath {
  source: string;
  segments: Segment[];
}

function parseLiteral(s: string): string | number | boolean | null {
  const t = s.trim();
  const q = /^(['"])(.*)\1$/.exec(t);
  if (q) return q[2] as string;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  throw new JsonPathError(`unsupported filter value "${t}"`);
}

function parseBracket(inner: string): Selector {
  const s = inner.trim();
  if (s === '*') return { kind: 'wildcard' };
  const filter =
    /^\?\(\s*@((?:\.[A-Za-z0-9_$-]+|\[(?:\d+|'[^']*'|"[^"]*")\])*)\s*(?:(==|!=|<=|>=|<|>)\s*(.+?))?\s*\)$/.exec(
      s,
    );
  if (filter) {
    const path: string[] = [];
    for (const m of (filter[1] as string).matchAll(
      /\.([A-Za-z0-9_$-]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g,
    ))
      path.push((m[1] ?? m[2] ?? m[3] ?? m[4]) as string);
    if (filter[2] === undefined) return { kind: 'filter', path };
    return { kind: 'filter', path, op: filter[2], value: parseLiteral(filter[3] as string) };
  }
  if (s.startsWith('?')) throw new JsonPathError(`unsupported filter "[${s}]"`);
  const slice = /^(-?\d*)\s*:\s*(-?\d*)\s*(?::\s*(-?\d*))?$/.exec(s);
  if (slice) {
    const n = (x: string | undefined) => (x === undefined || x === '' ? undefined : Number(x));
    const sel: Selector = { kind: 'slice' };
    const start = n(slice[1]);
    const end = n(slice[2]);
    const step = n(slice[3]);
    if (start !== undefined) sel.start = start;
    if (end !== undefined) sel.end = end;
    if (step !== undefined) sel.step = step;
    return sel;
  }
  const parts = s.split(',').map((p) => p.trim());
  const items = parts.map((p) => {
    if (/^-?\d+$/.test(p)) return Number(p);
    const q = /^(['"])(.*)\1$/.exec(p);
    if (q) return q[2] as string;
    throw new JsonPathError(`unsupported selector "[${s}]"`);
  });
  if (items.length === 1) {
    const only = items[0] as string | number;
    return typeof only === 'number' ? { kind: 'index', index: only } : { kind: 'name', name: only };
  }
  return { kind: 'union', items };
}

export function compileJsonPath(source: string): CompiledJsonPath {
  if (typeof source !== 'string' || source.trim() === '') throw new JsonPathError('empty JSONPath');
  let s = source.trim();
  if (s.startsWith('$')) s = s.slice(1);
  else if (!s.startsWith('.') && !s.startsWith('[')) s = `.${s}`;
  const segments: Segment[] = [];
  let i = 0;
  while (i < s.length) {
    let recursive = false;
    if (s.startsWith('..', i)) {
      recursive = true;
      i += 2;
    } else if (s[i] === '.') i++;
    if (s[i] === '[') {
      let depth = 0;
      let j = i;
      let quote = '';
      for (; j < s.length; j++) {
        const c = s[j];
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === "'" || c === '"') quote = c;
        else if (c === '[' || c === '(') depth++;
        else if (c === ']' || c === ')') {
          depth--;
          if (depth === 0 && c === ']') break;
        }
      }
      if (j >= s.length) throw new JsonPathError(`unclosed "[" in "${source}"`);
      segments.push({ recursive, selector: parseBracket(s.slice(i + 1, j)) });
      i = j + 1;
      continue;
    }
    const m = /^(\*|[A-Za-z0-9_$@-]+)/.exec(s.slice(i));
    if (!m) throw new JsonPathError(`unexpected "${s.slice(i)}" in "${source}"`);
    segments.push({
      recursive,
      selector: m[1] === '*' ? { kind: 'wildcard' } : { kind: 'name', name: m[1] as string },
    });
    i += (m[1] as string).length;
  }
  return { source, segments };
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v !== null && typeof v === 'object') return Object.values(v);
  return [];
}

function descendants(v: unknown, out: unknown[]): void {
  out.push(v);
  for (const c of children(v)) descendants(c, out);
}

function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return (a as number) < (b as number);
    case '<=':
      return (a as number) <= (b as number);
    case '>':
      return (a as number) > (b as number);
    default:
      return (a as number) >= (b as number);
  }
}

function select(v: unknown, sel: Selector): unknown[] {
  if (v === null || typeof v !== 'object') return [];
  const obj = v as Record<string, unknown>;
  switch (sel.kind) {
    case 'name':
      return Object.hasOwn(obj, sel.name) ? [obj[sel.name]] : [];
    case 'index': {
      if (!Array.isArray(v)) return Object.hasOwn(obj, String(sel.index)) ? [obj[String(sel.index)]] : [];
      const i = sel.index < 0 ? v.length + sel.index : sel.index;
      return i >= 0 && i < v.length ? [v[i]] : [];
    }
    case 'wildcard':
      return children(v);
    case 'union':
      return sel.items.flatMap((it) =>
        select(v, typeof it === 'number' ? { kind: 'index', index: it } : { kind: 'name', name: it }),
      );
    case 'slice': {
      if (!Array.isArray(v)) return [];
      const len = v.length;
      const step = sel.step ?? 1;
      if (step <= 0) return [];
      const norm = (x: number) => (x < 0 ? Math.max(0, len + x) : Math.min(len, x));
      const out: unknown[] = [];
      for (let i = norm(sel.start ?? 0); i < norm(sel.end ?? len); i += step) out.push(v[i]);
      return out;
    }
    case 'filter':
      return children(v).filter((item) => {
        let cur: unknown = item;
        for (const p of sel.path) {
          if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, p)) return false;
          cur = (cur as Record<string, unknown>)[p];
        }
        return sel.op === undefined ? true : compare(cur, sel.op, sel.value);
      });
  }
}

/** Every value the path selects, in document order. */
export function queryJsonPath(path: CompiledJsonPath, doc: unknown): unknown[] {
  let nodes: unknown[] = [doc];
  for (const seg of path.segments) {
    const next: unknown[] = [];
    for (const n of nodes) {
      if (seg.recursive) {
        const all: unknown[] = [];
        descendants(n, all);
        for (const d of all) next.push(...select(d, seg.selector));
      } else next.push(...select(n, seg.selector));
    }
    nodes = next;
  }
  return nodes;
}
