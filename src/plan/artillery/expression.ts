/**
 * Artillery's expression language (filtrex) as far as scripts use it: `ifTrue` on requests and
 * `ensure.conditions`. Parsed once, before the run; a malformed expression is an error then.
 *
 *   expr       := or ("?" expr ":" expr)?
 *   or         := and ("or" and)*
 *   and        := not ("and" not)*
 *   not        := "not" not | comparison
 *   comparison := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum | ["not"] "in" "(" expr ("," expr)* ")")?
 *   sum        := product (("+" | "-") product)*
 *   product    := unary (("*" | "/" | "%") unary)*
 *   unary      := "-" unary | power
 *   power      := primary ("^" unary)?
 *   primary    := number | "string" | symbol | function "(" args ")" | "(" expr ")"
 *   symbol     := [A-Za-z_$][A-Za-z0-9_$.]* | 'any text'
 *
 * Symbols are looked up in the variables (a dotted name as a whole key first, then as a path).
 * Comparisons and `and`/`or`/`not` give 1 or 0, as filtrex does.
 */
import { getPath } from './template.ts';

export type Expr =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'symbol'; name: string }
  | { kind: 'unary'; op: '-' | 'not'; arg: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr }
  | { kind: 'in'; negated: boolean; value: Expr; list: Expr[] }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'ternary'; test: Expr; yes: Expr; no: Expr };

export class ExpressionError extends Error {}

const FUNCTIONS: Record<string, (...a: number[]) => number> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  log: Math.log,
  max: Math.max,
  min: Math.min,
  random: Math.random,
  round: Math.round,
  sqrt: Math.sqrt,
};

type Token = { t: 'num' | 'str' | 'sym' | 'op' | 'word'; v: string; at: number };

const WORDS = new Set(['and', 'or', 'not', 'in']);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    const num = /^\d+(\.\d+)?([eE][-+]?\d+)?/.exec(rest);
    if (num) {
      out.push({ t: 'num', v: num[0], at: i });
      i += num[0].length;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        s += src[j];
        j++;
      }
      if (j >= src.length) throw new ExpressionError(`unterminated string at ${i + 1}`);
      out.push({ t: 'str', v: s, at: i });
      i = j + 1;
      continue;
    }
    if (c === "'") {
      const j = src.indexOf("'", i + 1);
      if (j < 0) throw new ExpressionError(`unterminated quoted name at ${i + 1}`);
      out.push({ t: 'sym', v: src.slice(i + 1, j), at: i });
      i = j + 1;
      continue;
    }
    const sym = /^[A-Za-z_$][A-Za-z0-9_$.]*/.exec(rest);
    if (sym) {
      out.push({ t: WORDS.has(sym[0]) ? 'word' : 'sym', v: sym[0], at: i });
      i += sym[0].length;
      continue;
    }
    const op = /^(==|!=|<=|>=|[<>+\-*/%^?:(),])/.exec(rest);
    if (op) {
      out.push({ t: 'op', v: op[0], at: i });
      i += op[0].length;
      continue;
    }
    throw new ExpressionError(`unexpected "${c}" at ${i + 1}`);
  }
  return out;
}

/**
 * The parser and the evaluator recurse: past these an expression would exhaust the stack (a
 * RangeError, not a message) long before it meant anything.
 */
const MAX_TOKENS = 1000;
const MAX_NESTING = 50;

export function parseExpression(src: string): Expr {
  if (typeof src !== 'string' || src.trim() === '') throw new ExpressionError('empty expression');
  const toks = tokenize(src);
  if (toks.length > MAX_TOKENS) throw new ExpressionError(`longer than ${MAX_TOKENS} words and signs`);
  let pos = 0;
  let depth = 0;
  const nested = <T>(f: () => T): T => {
    if (++depth > MAX_NESTING) throw new ExpressionError(`nested more than ${MAX_NESTING} deep`);
    try {
      return f();
    } finally {
      depth--;
    }
  };
  const peek = () => toks[pos];
  const is = (t: Token['t'], v?: string) => {
    const k = toks[pos];
    return !!k && k.t === t && (v === undefined || k.v === v);
  };
  const expect = (t: Token['t'], v: string) => {
    if (!is(t, v)) {
      const k = peek();
      throw new ExpressionError(
        k ? `expected "${v}" at ${k.at + 1}, found "${k.v}"` : `expected "${v}" at the end`,
      );
    }
    pos++;
  };

  const expr = (): Expr => nested(ternary);
  const ternary = (): Expr => {
    const test = or();
    if (is('op', '?')) {
      pos++;
      const a = expr();
      expect('op', ':');
      const b = expr();
      return { kind: 'ternary', test, yes: a, no: b };
    }
    return test;
  };
  const or = (): Expr => {
    let left = and();
    while (is('word', 'or')) {
      pos++;
      left = { kind: 'binary', op: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): Expr => {
    let left = not();
    while (is('word', 'and')) {
      pos++;
      left = { kind: 'binary', op: 'and', left, right: not() };
    }
    return left;
  };
  const not = (): Expr => {
    if (is('word', 'not')) {
      pos++;
      return { kind: 'unary', op: 'not', arg: nested(not) };
    }
    return comparison();
  };
  const list = (): Expr[] => {
    expect('op', '(');
    const items = [expr()];
    while (is('op', ',')) {
      pos++;
      items.push(expr());
    }
    expect('op', ')');
    return items;
  };
  const comparison = (): Expr => {
    const left = sum();
    const k = peek();
    if (k?.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(k.v)) {
      pos++;
      return { kind: 'binary', op: k.v, left, right: sum() };
    }
    if (is('word', 'in')) {
      pos++;
      return { kind: 'in', negated: false, value: left, list: list() };
    }
    if (is('word', 'not') && toks[pos + 1]?.t === 'word' && toks[pos + 1]?.v === 'in') {
      pos += 2;
      return { kind: 'in', negated: true, value: left, list: list() };
    }
    return left;
  };
  const sum = (): Expr => {
    let left = product();
    while (is('op', '+') || is('op', '-')) {
      const op = (toks[pos++] as Token).v;
      left = { kind: 'binary', op, left, right: product() };
    }
    return left;
  };
  const product = (): Expr => {
    let left = unary();
    while (is('op', '*') || is('op', '/') || is('op', '%')) {
      const op = (toks[pos++] as Token).v;
      left = { kind: 'binary', op, left, right: unary() };
    }
    return left;
  };
  const unary = (): Expr => {
    if (is('op', '-')) {
      pos++;
      return { kind: 'unary', op: '-', arg: nested(unary) };
    }
    const base = primary();
    if (is('op', '^')) {
      pos++;
      return { kind: 'binary', op: '^', left: base, right: nested(unary) };
    }
    return base;
  };
  const primary = (): Expr => {
    const k = peek();
    if (!k) throw new ExpressionError('unexpected end of the expression');
    if (k.t === 'num') {
      pos++;
      return { kind: 'number', value: Number(k.v) };
    }
    if (k.t === 'str') {
      pos++;
      return { kind: 'string', value: k.v };
    }
    if (k.t === 'sym') {
      pos++;
      if (is('op', '(') && !k.v.includes('.')) {
        if (!(k.v in FUNCTIONS)) throw new ExpressionError(`unknown function ${k.v}()`);
        pos++;
        const args: Expr[] = [];
        if (!is('op', ')')) {
          args.push(expr());
          while (is('op', ',')) {
            pos++;
            args.push(expr());
          }
        }
        expect('op', ')');
        return { kind: 'call', name: k.v, args };
      }
      return { kind: 'symbol', name: k.v };
    }
    if (is('op', '(')) {
      pos++;
      const e = expr();
      expect('op', ')');
      return e;
    }
    throw new ExpressionError(`unexpected "${k.v}" at ${k.at + 1}`);
  };

  const result = expr();
  if (pos < toks.length) {
    const k = toks[pos] as Token;
    throw new ExpressionError(`unexpected "${k.v}" at ${k.at + 1}`);
  }
  return result;
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));
const bool = (b: boolean) => (b ? 1 : 0);

/** Evaluates an expression over variables; comparisons give 1 or 0. */
export function evaluate(e: Expr, vars: Record<string, unknown>): unknown {
  switch (e.kind) {
    case 'number':
    case 'string':
      return e.value;
    case 'symbol':
      return getPath(vars, e.name);
    case 'unary':
      return e.op === '-' ? -num(evaluate(e.arg, vars)) : bool(!evaluate(e.arg, vars));
    case 'ternary':
      return evaluate(e.test, vars) ? evaluate(e.yes, vars) : evaluate(e.no, vars);
    case 'in': {
      const v = evaluate(e.value, vars);
      // biome-ignore lint/suspicious/noDoubleEquals: filtrex compares loosely
      const found = e.list.some((x) => evaluate(x, vars) == v);
      return bool(e.negated ? !found : found);
    }
    case 'call':
      return (FUNCTIONS[e.name] as (...a: number[]) => number)(...e.args.map((a) => num(evaluate(a, vars))));
    case 'binary': {
      if (e.op === 'and') return bool(!!evaluate(e.left, vars) && !!evaluate(e.right, vars));
      if (e.op === 'or') return bool(!!evaluate(e.left, vars) || !!evaluate(e.right, vars));
      const a = evaluate(e.left, vars) as any;
      const b = evaluate(e.right, vars) as any;
      switch (e.op) {
        case '==':
          // biome-ignore lint/suspicious/noDoubleEquals: filtrex compares loosely
          return bool(a == b);
        case '!=':
          // biome-ignore lint/suspicious/noDoubleEquals: filtrex compares loosely
          return bool(a != b);
        case '<':
          return bool(a < b);
        case '<=':
          return bool(a <= b);
        case '>':
          return bool(a > b);
        case '>=':
          return bool(a >= b);
        case '+':
          return typeof a === 'string' || typeof b === 'string' ? `${a}${b}` : num(a) + num(b);
        case '-':
          return num(a) - num(b);
        case '*':
          return num(a) * num(b);
        case '/':
          return num(a) / num(b);
        case '%':
          return num(a) % num(b);
        case '^':
          return num(a) ** num(b);
      }
      throw new ExpressionError(`unknown operator ${e.op}`);
    }
  }
}

/** Compiles once; the result evaluates over variables. Throws ExpressionError on bad syntax. */
export function compileExpression(src: string): (vars: Record<string, unknown>) => unknown {
  const e = parseExpression(src);
  return (vars) => evaluate(e, vars);
}
