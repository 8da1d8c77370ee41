/**
 * k6's calls as a converted plan writes them: a k6/http request as `vu.http.<method>(url, options)`
 * (params written out when they are, else through `k6.params`), `http.batch` as `k6.batch`, and
 * `check(value, { name: fn })` as one `vu.check` per predicate (`k6.check` when not written out).
 */
import { type AstNode, isFunction, propertyName } from './ast.ts';
import { quote } from './convert-imports.ts';
import type { Conversion } from './convert-printer.ts';
import { exportOf, requestParams } from './k6-api.ts';

/** The k6 params `k6.params` takes (see api.ts). */
const K6_PARAMS = requestParams('written', 'k6.params');
/** The k6 params written out in a request's options. */
const SIMPLE_PARAMS = requestParams('written');

const isNullish = (n: AstNode | undefined) =>
  !n || (n.type === 'Literal' && n.value === null) || (n.type === 'Identifier' && n.name === 'undefined');

/** A value known to be a string: sent as the body as it is. */
function stringish(c: Conversion, n: AstNode): boolean {
  return (
    (n.type === 'Identifier' && c.facts.stringNames.has(n.name)) ||
    (n.type === 'Literal' && typeof n.value === 'string') ||
    n.type === 'TemplateLiteral' ||
    (n.type === 'CallExpression' &&
      n.callee.type === 'MemberExpression' &&
      n.callee.object.type === 'Identifier' &&
      n.callee.object.name === 'JSON' &&
      propertyName(n.callee.property, n.callee.computed) === 'stringify')
  );
}

/** A param written out as loadproof's request option of the same meaning. */
function simpleParam(p: AstNode): boolean {
  if (p.type !== 'Property' || p.computed) return false;
  const k = propertyName(p.key, false) ?? '';
  if (!SIMPLE_PARAMS.has(k)) return false;
  if (k === 'tags')
    return (
      p.value.type === 'ObjectExpression' &&
      p.value.properties.every((t: AstNode) => t.type === 'Property' && !t.computed)
    );
  if (k === 'timeout') return p.value.type === 'Literal';
  if (k === 'cookies')
    return (
      p.value.type === 'ObjectExpression' &&
      p.value.properties.every((t: AstNode) => t.type === 'Property' && t.value.type !== 'ObjectExpression')
    );
  return true;
}

/** Written-out params as options: `tags.name` becomes `name`, a timeout in ms a duration. */
function writtenOptions(c: Conversion, body: AstNode | undefined, params: AstNode | undefined): string {
  const entries: string[] = [];
  if (body) entries.push(`body: ${c.print(body)}`);
  const written: AstNode[] = params ? params.properties : [];
  for (const p of written) {
    const k = propertyName(p.key, false) as string;
    if (k === 'tags') {
      const tags: string[] = [];
      for (const t of p.value.properties as AstNode[]) {
        if (propertyName(t.key, false) === 'name') entries.push(`name: ${c.print(t.value)}`);
        else tags.push(c.print(t));
      }
      if (tags.length) entries.push(`tags: { ${tags.join(', ')} }`);
    } else if (k === 'timeout' && typeof p.value.value === 'number')
      entries.push(`timeout: '${p.value.value}ms'`);
    else entries.push(c.print(p));
  }
  return `{ ${entries.join(', ')} }`;
}

/** A request's options: written out when the params are, else through k6.params. */
function requestOptions(
  c: Conversion,
  body: AstNode | undefined,
  params: AstNode | undefined,
): string | undefined {
  const { defaultCallback } = c.facts;
  const hasBody = !isNullish(body);
  const hasParams = !isNullish(params);
  if (!hasBody && !hasParams) return defaultCallback ? 'k6.params()' : undefined;
  if (params?.type === 'ObjectExpression')
    for (const p of params.properties as AstNode[]) {
      const k = p.type === 'Property' ? propertyName(p.key, p.computed) : undefined;
      if (k !== undefined && !K6_PARAMS.has(k))
        c.todo(p, `params.${k} has no loadproof equivalent: the request fails with an error naming it`);
    }
  const simple =
    !defaultCallback &&
    (!hasBody || stringish(c, body as AstNode)) &&
    (!hasParams ||
      (params?.type === 'ObjectExpression' && (params.properties as AstNode[]).every(simpleParam)));
  if (!simple)
    return `k6.params(${hasParams ? c.print(params as AstNode) : 'undefined'}${hasBody ? `, ${c.print(body as AstNode)}` : ''})`;
  return writtenOptions(c, hasBody ? body : undefined, hasParams ? params : undefined);
}

const argsText = (c: Conversion, args: AstNode[]) => args.map(c.print).join(', ');

/** A call of k6/http's `method` (a request or a batch), made by `vu`. */
export function httpCall(c: Conversion, n: AstNode, method: string, vu: string): string {
  const args = n.arguments as AstNode[];
  const as = exportOf('k6/http', method)?.convert;
  if (as && 'batch' in as) return `k6.batch(${vu}.http, ${argsText(c, args)})`;
  if (!as || !('request' in as)) throw new Error(`k6/http's ${method} is not a request`);
  if (as.request === 'request') {
    const [m, url, body, params] = args as [AstNode, AstNode, AstNode | undefined, AstNode | undefined];
    const o = requestOptions(c, body, params);
    return `${vu}.http.request(${c.print(m)}, ${c.print(url)}${o ? `, ${o}` : ''})`;
  }
  const [url, second, third] = args as [AstNode, AstNode | undefined, AstNode | undefined];
  const o = as.body ? requestOptions(c, second, third) : requestOptions(c, undefined, second);
  if (as.request === 'OPTIONS') return `${vu}.http.request('OPTIONS', ${c.print(url)}${o ? `, ${o}` : ''})`;
  return `${vu}.http.${as.request}(${c.print(url)}${o ? `, ${o}` : ''})`;
}

const simpleValue = (n: AstNode): boolean =>
  n.type === 'Identifier' ||
  n.type === 'Literal' ||
  (n.type === 'MemberExpression' && !n.computed && simpleValue(n.object));

/** k6's `check(value, sets, tags)` made by `vu`. */
export function checkCall(c: Conversion, n: AstNode, vu: string): string {
  const [value, sets, tags] = n.arguments as [AstNode, AstNode | undefined, AstNode | undefined];
  const tagsText = tags ? c.print(tags) : undefined;
  const literal =
    sets?.type === 'ObjectExpression' &&
    sets.properties.length > 0 &&
    (sets.properties as AstNode[]).every(
      (p) => p.type === 'Property' && propertyName(p.key, p.computed) !== undefined,
    );
  if (!literal || !simpleValue(value) || !sets)
    return `k6.check(${vu}, ${c.print(value)}, ${sets ? c.print(sets) : '{}'}${tagsText ? `, ${tagsText}` : ''})`;
  const v = c.print(value);
  const one = (p: AstNode) => {
    const name = quote(propertyName(p.key, p.computed) as string);
    if (isFunction(p.value))
      return `${vu}.check(${name}, ${v}, ${c.print(p.value)}${tagsText ? `, ${tagsText}` : ''})`;
    return `${vu}.check(${name}, ${c.print(p.value)}${tagsText ? `, undefined, ${tagsText}` : ''})`;
  };
  const calls = (sets.properties as AstNode[]).map(one);
  if (calls.length === 1) return calls[0] as string;
  if (c.parents.get(n)?.type === 'ExpressionStatement') return calls.join(`;\n${c.indentOf(n.start)}`);
  return `[${calls.join(', ')}].every(Boolean)`;
}
