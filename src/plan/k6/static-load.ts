/**
 * A k6 script as `loadproof convert` reads it: parsed, never run. Its options are read as
 * values (static-options.ts), its custom metrics from `new Counter('name')` and the like, its
 * exports from its declarations; the same checks as `loadproof run` (index.ts) name the same
 * problems.
 */
import { basename } from 'node:path';
import { PlanValidationError } from '../../errors.ts';
import { readInputFile } from '../input-file.ts';
import type { PlanFileOptions } from '../load.ts';
import type { PlanInput } from '../types.ts';
import { type AstNode, isFunction, parseModule, walk } from './ast.ts';
import { importFacts } from './convert-imports.ts';
import { checkSource, httpConfigOf, type K6Load, scriptIssues, targetOf } from './index.ts';
import { convertOptions } from './options.ts';
import { staticOptions } from './static-options.ts';
import { optionsLiteral } from './transform.ts';

/** Each exported name, and whether it is (as far as reading tells) a function. */
function exportKinds(program: AstNode): Map<string, boolean> {
  const body = program.body as AstNode[];
  const bound = new Map<string, boolean>();
  for (const s of body) {
    const d = s.type === 'ExportNamedDeclaration' ? s.declaration : s;
    if (d?.type === 'FunctionDeclaration' && d.id) bound.set(d.id.name, true);
    if (d?.type === 'VariableDeclaration')
      for (const v of d.declarations)
        if (v.id.type === 'Identifier')
          bound.set(
            v.id.name,
            !v.init ||
              isFunction(v.init) ||
              (v.init.type !== 'ObjectExpression' &&
                v.init.type !== 'Literal' &&
                v.init.type !== 'ArrayExpression' &&
                v.init.type !== 'TemplateLiteral'),
          );
  }
  const kinds = new Map<string, boolean>();
  for (const s of body) {
    if (s.type === 'ExportDefaultDeclaration') {
      const d = s.declaration;
      kinds.set(
        'default',
        d.type === 'Identifier'
          ? (bound.get(d.name) ?? true)
          : isFunction(d) || d.type === 'FunctionDeclaration',
      );
    } else if (s.type === 'ExportNamedDeclaration') {
      const d = s.declaration;
      if (d?.type === 'FunctionDeclaration') kinds.set(d.id.name, true);
      else if (d?.type === 'VariableDeclaration')
        for (const v of d.declarations)
          if (v.id.type === 'Identifier') kinds.set(v.id.name, bound.get(v.id.name) ?? true);
      for (const sp of s.specifiers ?? []) {
        const as = sp.exported.name ?? sp.exported.value;
        kinds.set(as, s.source ? true : (bound.get(sp.local.name) ?? true));
      }
    }
  }
  return new Map([...kinds].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `new Counter('orders')` → orders: counter, for the metric classes the script imports from k6/metrics. */
function declaredMetrics(program: AstNode): Record<string, 'trend' | 'counter' | 'rate' | 'gauge'> {
  const ctors = importFacts(program).metricCtors;
  const out: Record<string, 'trend' | 'counter' | 'rate' | 'gauge'> = {};
  walk(program, (n) => {
    if (n.type !== 'NewExpression' || n.callee.type !== 'Identifier' || !ctors.has(n.callee.name)) return;
    const first = n.arguments[0];
    if (first?.type === 'Literal' && typeof first.value === 'string')
      out[first.value] = ctors.get(n.callee.name) as 'trend' | 'counter' | 'rate' | 'gauge';
  });
  return out;
}

export function readK6Script(file: string, name: string, options: PlanFileOptions): K6Load {
  const source = readInputFile(file, 'script').toString('utf8');
  const sourceIssues = checkSource(source);
  if (sourceIssues.length) throw new PlanValidationError(sourceIssues, name);
  const program = parseModule(source);
  const { value, issues: valueIssues } = staticOptions(program, { ...process.env, ...options.env });
  if (valueIssues.length) throw new PlanValidationError(valueIssues, name);
  const converted = convertOptions(value);
  const issues = scriptIssues(converted, optionsLiteral(source), exportKinds(program));
  if (issues.length) throw new PlanValidationError(issues, name);
  const input: PlanInput = {
    name: basename(file),
    target: targetOf(source),
    headers: converted.headers,
    ...httpConfigOf(converted),
    scenarios: {},
    metrics: declaredMetrics(program),
    ...(converted.setupTimeout !== '60s' ? { setupTimeout: converted.setupTimeout } : {}),
    ...(converted.teardownTimeout !== '60s' ? { teardownTimeout: converted.teardownTimeout } : {}),
  };
  const warnings = converted.ignored
    .filter((k) => k !== 'summaryTrendStats')
    .map((k) => `${name}: options.${k} only shapes k6's own summary: ignored`);
  return { input, warnings, options: converted };
}
