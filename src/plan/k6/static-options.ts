/**
 * A k6 script's `options` read without running the script (`loadproof convert` never runs user
 * code): the value of the expression `export const options` is bound to, evaluated over values
 * only — literals, objects, arrays, templates, arithmetic and logic, `__ENV.NAME` (the process
 * environment and --env), and names bound at the top level by `const` to such expressions.
 * Anything else (a call, a name bound at run time) is an error naming its line.
 */
import type { PlanIssue } from '../../errors.ts';
import { type AstNode, propertyName } from './ast.ts';

export class NotAValue extends Error {
  constructor(
    readonly line: number | undefined,
    what: string,
  ) {
    super(what);
  }
}

type Env = Record<string, string | undefined>;

/** Functions of values only, which options often apply to `__ENV` (`Number(__ENV.VUS) || 10`). */
const PURE_FUNCTIONS: Record<string, (...args: any[]) => unknown> = {
  Number,
  String,
  Boolean,
  parseInt: Number.parseInt,
  parseFloat: Number.parseFloat,
  'Math.floor': Math.floor,
  'Math.ceil': Math.ceil,
  'Math.round': Math.round,
  'Math.min': Math.min,
  'Math.max': Math.max,
  'Math.abs': Math.abs,
};

function calleeName(c: AstNode): string | undefined {
  if (c.type === 'Identifier') return c.name;
  if (c.type === 'MemberExpression' && !c.computed && c.object.type === 'Identifier')
    return `${c.object.name}.${c.property.name}`;
  return undefined;
}

function topLevelConsts(program: AstNode): Map<string, AstNode | null> {
  const out = new Map<string, AstNode | null>();
  for (const s of program.body as AstNode[]) {
    const d = s.type === 'ExportNamedDeclaration' ? s.declaration : s;
    if (d?.type !== 'VariableDeclaration') continue;
    for (const v of d.declarations)
      if (v.id.type === 'Identifier') out.set(v.id.name, d.kind === 'const' ? (v.init ?? null) : null);
  }
  return out;
}

function evaluator(program: AstNode, env: Env) {
  const consts = topLevelConsts(program);
  const evaluating = new Set<string>();
  const fail = (n: AstNode, what: string): never => {
    throw new NotAValue(n.loc?.start.line, what);
  };
  const primitive = (n: AstNode, v: unknown) =>
    v !== null && typeof v === 'object' ? fail(n, 'an object given to a function') : v;
  const value = (n: AstNode): unknown => {
    switch (n.type) {
      case 'Literal':
        if (n.regex) fail(n, 'a regular expression');
        return n.value;
      case 'TemplateLiteral': {
        let s = '';
        n.quasis.forEach((q: AstNode, i: number) => {
          s += q.value.cooked;
          if (i < n.expressions.length) s += String(value(n.expressions[i]));
        });
        return s;
      }
      case 'ObjectExpression': {
        const o: Record<string, unknown> = {};
        for (const p of n.properties) {
          if (p.type === 'SpreadElement') Object.assign(o, value(p.argument));
          else {
            if (p.kind !== 'init' || p.method) fail(p, 'a method or accessor');
            const key = p.computed
              ? String(value(p.key))
              : (propertyName(p.key, false) ?? String(p.key.value));
            Object.defineProperty(o, key, {
              value: value(p.value),
              enumerable: true,
              writable: true,
              configurable: true,
            });
          }
        }
        return o;
      }
      case 'ArrayExpression':
        return n.elements.flatMap((e: AstNode | null) =>
          e === null
            ? [undefined]
            : e.type === 'SpreadElement'
              ? [...(value(e.argument) as unknown[])]
              : [value(e)],
        );
      case 'UnaryExpression': {
        const v = value(n.argument);
        if (n.operator === '-') return -(v as number);
        if (n.operator === '+') return +(v as number);
        if (n.operator === '!') return !v;
        if (n.operator === 'typeof') return typeof v;
        return fail(n, `the operator ${n.operator}`);
      }
      case 'BinaryExpression': {
        const a = value(n.left) as any;
        const b = value(n.right) as any;
        switch (n.operator) {
          case '+':
            return a + b;
          case '-':
            return a - b;
          case '*':
            return a * b;
          case '/':
            return a / b;
          case '%':
            return a % b;
          case '**':
            return a ** b;
          case '===':
            return a === b;
          case '!==':
            return a !== b;
          case '==':
            // biome-ignore lint/suspicious/noDoubleEquals: the script's own operator
            return a == b;
          case '!=':
            // biome-ignore lint/suspicious/noDoubleEquals: the script's own operator
            return a != b;
          case '<':
            return a < b;
          case '<=':
            return a <= b;
          case '>':
            return a > b;
          case '>=':
            return a >= b;
        }
        return fail(n, `the operator ${n.operator}`);
      }
      case 'LogicalExpression': {
        const a = value(n.left);
        if (n.operator === '||') return a || value(n.right);
        if (n.operator === '&&') return a && value(n.right);
        return a ?? value(n.right);
      }
      case 'CallExpression': {
        const name = calleeName(n.callee);
        const fn =
          name !== undefined && Object.hasOwn(PURE_FUNCTIONS, name) ? PURE_FUNCTIONS[name] : undefined;
        if (!fn || n.arguments.some((a: AstNode) => a.type === 'SpreadElement'))
          return fail(n, 'a call expression');
        return fn(...n.arguments.map((a: AstNode) => primitive(a, value(a))));
      }
      case 'ConditionalExpression':
        return value(n.test) ? value(n.consequent) : value(n.alternate);
      case 'MemberExpression':
      case 'ChainExpression': {
        const m = n.type === 'ChainExpression' ? n.expression : n;
        if (m.type === 'MemberExpression' && m.object.type === 'Identifier' && m.object.name === '__ENV') {
          const key = m.computed ? String(value(m.property)) : m.property.name;
          return Object.hasOwn(env, key) ? env[key] : undefined;
        }
        if (m.type === 'MemberExpression') {
          const o = value(m.object) as Record<string, unknown> | undefined;
          const key = m.computed ? String(value(m.property)) : m.property.name;
          if (o == null) return n.type === 'ChainExpression' ? undefined : fail(n, `reading ${key} of ${o}`);
          return Object.hasOwn(o, key) ? o[key] : undefined;
        }
        return fail(n, 'an expression');
      }
      case 'Identifier': {
        if (n.name === 'undefined') return undefined;
        if (n.name === 'Infinity') return Number.POSITIVE_INFINITY;
        if (n.name === 'NaN') return Number.NaN;
        const init = consts.get(n.name);
        if (!init || evaluating.has(n.name))
          return fail(n, `the name ${n.name} (known only when the script runs)`);
        evaluating.add(n.name);
        try {
          return value(init);
        } finally {
          evaluating.delete(n.name);
        }
      }
    }
    return fail(n, `a ${n.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`);
  };
  return value;
}

/** The exported `options` value, undefined when the script exports none. */
export function staticOptions(program: AstNode, env: Env): { value: unknown; issues: PlanIssue[] } {
  const value = evaluator(program, env);
  for (const s of program.body as AstNode[]) {
    if (s.type !== 'ExportNamedDeclaration') continue;
    const names: [string, string][] = s.declaration
      ? []
      : (s.specifiers as AstNode[]).map((sp) => [sp.local.name, sp.exported.name ?? sp.exported.value]);
    let init: AstNode | null | undefined;
    if (s.declaration?.type === 'VariableDeclaration')
      init = (s.declaration.declarations as AstNode[]).find(
        (d) => d.id.type === 'Identifier' && d.id.name === 'options',
      )?.init;
    const local = names.find(([, as]) => as === 'options')?.[0];
    if (local) init = topLevelConsts(program).get(local) ?? undefined;
    if (init === undefined) continue;
    if (init === null) return { value: undefined, issues: [] };
    try {
      return { value: value(init), issues: [] };
    } catch (e) {
      if (!(e instanceof NotAValue)) throw e;
      return {
        value: undefined,
        issues: [
          {
            path: `options (${e.line ? `line ${e.line}` : 'script'})`,
            message: `${e.message} is computed when the script runs: convert reads options written as values (it does not run the script)`,
          },
        ],
      };
    }
  }
  return { value: undefined, issues: [] };
}
