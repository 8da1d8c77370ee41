/**
 * The rewrite rules of `loadproof convert`: one node of a k6 script in loadproof's `vu` API, or
 * undefined when it is copied as written (its children still rewritten). k6's names read from
 * k6-api.ts: `__VU`, `__ITER`, `__ENV` → `vu.id`, `vu.iteration`, `vu.env`; custom metrics →
 * `vu.metrics.*`; k6/http, k6's functions, k6/execution's fields and a response's fields → their
 * equivalents, or a TODO and a stub (`k6.unsupported(...)`) that fails when used.
 */
import { HTTP_BLOCKING } from './analysis.ts';
import { type AstNode, propertyName } from './ast.ts';
import { EXECUTION_FIELDS } from './convert-facts.ts';
import { quote } from './convert-imports.ts';
import { checkCall, httpCall } from './convert-k6-calls.ts';
import type { Conversion } from './convert-printer.ts';
import { exportOf, K6_TIMING_PHASES, responseFieldsWithoutEquivalent } from './k6-api.ts';

const TIMING_PHASES = new Set<string>(K6_TIMING_PHASES);
/** Response fields a plan has no equivalent for. */
const RESPONSE_TODO = responseFieldsWithoutEquivalent();

/** What `vu` is where `n` is: `vu` in a function that gets the VU, else undefined. */
const vuAt = (c: Conversion, n: AstNode) => (c.facts.inVu(n) ? 'vu' : undefined);

const argsText = (c: Conversion, args: AstNode[]) => args.map(c.print).join(', ');

export function rewrite(c: Conversion, n: AstNode): string | undefined {
  if (n.type === 'Identifier') return rewriteIdentifier(c, n);
  if (n.type === 'NewExpression') return rewriteNewMetric(c, n);
  if (n.type === 'MemberExpression') return rewriteMember(c, n);
  if (n.type === 'CallExpression') return rewriteCall(c, n);
  return undefined;
}

/** k6's globals, and a function that takes the VU passed on as a value. */
function rewriteIdentifier(c: Conversion, n: AstNode): string | undefined {
  const vu = vuAt(c, n);
  const parent = c.parents.get(n);
  const isRef =
    !(parent?.type === 'MemberExpression' && parent.property === n && !parent.computed) &&
    !(parent?.type === 'Property' && parent.key === n && !parent.computed && !parent.shorthand) &&
    !(parent?.type === 'MethodDefinition' && parent.key === n);
  if (!isRef) return undefined;
  const short = (text: string) =>
    parent?.type === 'Property' && parent.shorthand ? `${n.name}: ${text}` : text;
  if (n.name === '__VU') return short(vu ? `${vu}.id` : '0');
  if (n.name === '__ITER') return short(vu ? `${vu}.iteration` : '0');
  if (n.name === '__ENV') return short(vu ? `${vu}.env` : 'process.env');
  const { vuRootNames, roots } = c.facts;
  if (vuRootNames.has(n.name) && !(parent?.type === 'CallExpression' && parent.callee === n)) {
    const declared = [...roots].some(
      ([name, fn]) => name === n.name && (fn.id === n || c.parents.get(fn)?.id === n),
    );
    if (!declared && vu) return short(`(...args: any[]) => ${n.name}(${vu}, ...args)`);
  }
  return undefined;
}

/** `new Counter('name')` bound to a constant: the metric's name (the plan declares it). */
function rewriteNewMetric(c: Conversion, n: AstNode): string | undefined {
  if (n.callee.type !== 'Identifier' || !c.facts.metricCtors.has(n.callee.name)) return undefined;
  const parent = c.parents.get(n);
  if (
    parent?.type === 'VariableDeclarator' &&
    parent.id.type === 'Identifier' &&
    c.facts.metricVars.has(parent.id.name)
  )
    return c.print(n.arguments[0]);
  c.todo(
    n,
    `a ${n.callee.name} that is not a constant with a literal name: declare it in the plan's metrics and record it with vu.metrics`,
  );
  return `k6.unsupported(${quote(`new ${n.callee.name}`)})`;
}

/** k6/http's other exports, k6/execution's fields and a response's fields. */
function rewriteMember(c: Conversion, n: AstNode): string | undefined {
  const { httpNamespaces, execNames, responses } = c.facts;
  const vu = vuAt(c, n);
  const obj = n.object;
  const prop = propertyName(n.property, n.computed);
  if (obj.type === 'Identifier' && httpNamespaces.has(obj.name) && prop && !HTTP_BLOCKING.has(prop)) {
    const as = exportOf('k6/http', prop)?.convert;
    if (as && 'to' in as) return as.to;
    c.todo(n, `http.${prop} has no direct loadproof equivalent: rewrite it (it fails when used)`);
    return `k6.unsupported(${quote(`http.${prop}`)})`;
  }
  if (
    obj.type === 'MemberExpression' &&
    obj.object.type === 'Identifier' &&
    execNames.has(obj.object.name) &&
    vu
  ) {
    const key = `${propertyName(obj.property, obj.computed)}.${prop}`;
    const field = Object.hasOwn(EXECUTION_FIELDS, key) ? EXECUTION_FIELDS[key] : undefined;
    if (field) return `${vu}.${field}`;
  }
  if (obj.type === 'Identifier' && responses.has(obj.name) && prop) return responseField(c, n, prop);
  if (obj.type === 'MemberExpression' && obj.object.type === 'Identifier' && responses.has(obj.object.name))
    return responseSubfield(c, n, prop);
  return undefined;
}

/** `res.<prop>` of a k6 response. */
function responseField(c: Conversion, n: AstNode, prop: string): string | undefined {
  const obj = n.object;
  if (prop === 'body') return `${c.print(obj)}.text`;
  if (prop === 'error_code') return `k6.errorCode(${c.print(obj)})`;
  const parent = c.parents.get(n);
  if (prop === 'timings' && !(parent?.type === 'MemberExpression' && parent.object === n))
    return `k6.timings(${c.print(obj)})`;
  if (RESPONSE_TODO.has(prop)) {
    c.todo(n, `the response's ${prop} has no loadproof equivalent: rewrite it (it fails when used)`);
    return `k6.unsupported(${quote(`response.${prop}`)})`;
  }
  return undefined;
}

/** `res.timings.<prop>` and `res.headers[<name>]` of a k6 response. */
function responseSubfield(c: Conversion, n: AstNode, prop: string | undefined): string | undefined {
  const obj = n.object;
  const field = propertyName(obj.property, obj.computed);
  const res = c.print(obj.object);
  if (field === 'timings' && prop === 'duration') return `${res}.latencyMs`;
  if (field === 'timings' && prop && TIMING_PHASES.has(prop)) return `(${res}.phases?.${prop} ?? 0)`;
  if (field === 'timings' && prop === 'connecting') return `(${res}.phases?.connecting ?? 0)`;
  if (field === 'timings' && prop === 'tls_handshaking') return `(${res}.phases?.tlsHandshaking ?? 0)`;
  if (field === 'timings') {
    c.todo(n, `timings.${prop}: loadproof does not time it per request (a request is written in one go: 0)`);
    return '0';
  }
  if (field === 'headers' && prop !== undefined && (n.computed ? n.property.type === 'Literal' : true))
    return `${res}.headers[${quote(prop.toLowerCase())}]`;
  return undefined;
}

/** Array methods run in order, k6/http's requests, k6's functions, the script's VU functions, metrics. */
function rewriteCall(c: Conversion, n: AstNode): string | undefined {
  const { isHttpCall, httpNamed } = c.facts;
  const callee = n.callee;
  const args = n.arguments as AstNode[];
  const how = c.analysis.awaited.get(n);
  if (how?.sequential && callee.type === 'MemberExpression')
    return `k6.inOrder(${c.print(callee.object)}, '${how.sequential.method}', ${argsText(c, args)})`;
  if (isHttpCall(n)) {
    const method =
      callee.type === 'Identifier'
        ? (httpNamed.get(callee.name) as string)
        : (propertyName(callee.property, callee.computed) as string);
    const vu = vuAt(c, n);
    if (!vu) {
      c.todo(
        n,
        `http.${method} outside a function of the script that gets the VU (init code, or a function that is not named): move it into one`,
      );
      return `k6.unsupported(${quote(`http.${method} without a VU`)})(${argsText(c, args)})`;
    }
    return httpCall(c, n, method, vu);
  }
  if (callee.type === 'Identifier') return rewriteNamedCall(c, n);
  if (callee.type === 'MemberExpression') return rewriteMethodCall(c, n);
  return undefined;
}

/** `check(...)`, `sleep(...)`, `fail(...)`, `expectedStatuses(...)`, `login(...)` (a function that takes the VU). */
function rewriteNamedCall(c: Conversion, n: AstNode): string | undefined {
  const { k6Names, httpNamed, vuRootNames } = c.facts;
  const name = n.callee.name as string;
  const args = n.arguments as AstNode[];
  const vu = vuAt(c, n);
  const k6 = k6Names.get(name);
  const as = k6 !== undefined ? exportOf('k6', k6)?.convert : undefined;
  const httpAs = httpNamed.has(name)
    ? exportOf('k6/http', httpNamed.get(name) as string)?.convert
    : undefined;
  for (const a of [as, httpAs])
    if (a && 'to' in a && a.to.startsWith('k6.')) return `${a.to}(${argsText(c, args)})`;
  if (k6 && !vu) {
    c.todo(
      n,
      `${k6}() outside a function of the script that gets the VU (init code, or a function that is not named)`,
    );
    return `k6.unsupported(${quote(`${k6} without a VU`)})(${argsText(c, args)})`;
  }
  if (as && 'check' in as) return checkCall(c, n, vu as string);
  if (as && 'to' in as) return `${as.to.replace(/^vu\./, `${vu}.`)}(${argsText(c, args)})`;
  if (vuRootNames.has(name)) {
    if (!vu) {
      c.todo(n, `${name}() needs a VU but is called from init code`);
      return `${name}(k6.unsupported('a VU in init code')${args.length ? `, ${argsText(c, args)}` : ''})`;
    }
    return `${name}(${vu}${args.length ? `, ${argsText(c, args)}` : ''})`;
  }
  return undefined;
}

/** `metric.add(v, tags)`, `api.login(...)` (a method that takes the VU), `res.json(selector)`. */
function rewriteMethodCall(c: Conversion, n: AstNode): string | undefined {
  const { metricVars, vuMethodNames } = c.facts;
  const callee = n.callee;
  const args = n.arguments as AstNode[];
  const vu = vuAt(c, n);
  const prop = propertyName(callee.property, callee.computed);
  if (prop === 'add' && callee.object.type === 'Identifier' && metricVars.has(callee.object.name) && vu) {
    const kind = metricVars.get(callee.object.name) as string;
    const [value, tags] = args as [AstNode | undefined, AstNode | undefined];
    let v = value ? c.print(value) : '1';
    if (
      kind === 'rate' &&
      value &&
      !/^(Binary|Unary|Logical)Expression$/.test(value.type) &&
      !(value.type === 'Literal' && typeof value.value === 'boolean')
    )
      v = `Boolean(${v})`;
    return `${vu}.metrics.${kind}(${callee.object.name}, ${v}${tags ? `, ${c.print(tags)}` : ''})`;
  }
  if (prop && vuMethodNames.has(prop) && vu)
    return `${c.print(callee)}(${vu}${args.length ? `, ${argsText(c, args)}` : ''})`;
  if (
    prop === 'json' &&
    args.length <= 1 &&
    !(callee.object.type === 'Identifier' && callee.object.name === 'JSON')
  )
    return `k6.json(${c.print(callee.object)}${args.length ? `, ${c.print(args[0] as AstNode)}` : ''})`;
  return undefined;
}
