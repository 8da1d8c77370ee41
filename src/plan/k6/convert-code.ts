/**
 * The code half of `loadproof convert script.js`: a k6 script's own code rewritten to
 * loadproof's `vu` API. k6 calls that have a direct equivalent become it (`http.get(url,
 * params)` → `await vu.http.get(url, {...})`, `check` → `vu.check`, `sleep`, `group`, custom
 * metrics → `vu.metrics.*`, `__VU` → `vu.id`, `__ITER` → `vu.iteration`, `__ENV` → `vu.env`);
 * the rest goes through loadproof's documented `k6` helpers (`k6.json(res, selector)`,
 * `k6.params(...)`, `k6.inOrder(...)`). Functions that use a VU take it as their first
 * parameter, and calls of them pass it on. What has no equivalent (randomSeed, http.file, local
 * modules, a response's cookies, ...) gets a `// TODO(loadproof convert)` comment, a warning
 * naming the line, and a stub that fails loudly when used: nothing is dropped silently.
 *
 * The blocking model is the one `loadproof run` uses (analysis.ts): the same functions become
 * async and the same calls are awaited.
 */
import { type Analysis, analyze, HTTP_BLOCKING } from './analysis.ts';
import { type AstNode, isFunction, isNode, parseModule, propertyName, walk } from './ast.ts';
import { EXECUTION_FIELDS, quote, scriptFacts, topLevelFunction } from './convert-facts.ts';

export interface ConvertedFunction {
  /** The function's name in the converted code. */
  local: string;
  /** Its first parameter is the VU. */
  takesVu: boolean;
  /** How many parameters the script wrote (k6 passes setup data to the first). */
  params: number;
}

export interface ConvertedCode {
  code: string;
  /** Exported functions by their exported name (`default` for the default function). */
  exports: Map<string, ConvertedFunction>;
  /** `line N: what` for each TODO left in the code (also comments in it). */
  todos: string[];
}

interface Todo {
  line: number;
  text: string;
  placed: boolean;
}

const REQUEST_METHODS: Record<string, string> = {
  get: 'get',
  head: 'head',
  post: 'post',
  put: 'put',
  patch: 'patch',
  del: 'delete',
};
/** k6/http functions whose first argument is the URL and second the body. */
const WITH_BODY = new Set(['post', 'put', 'patch', 'del', 'options']);
const TIMING_PHASES = new Set(['blocked', 'waiting', 'receiving']);
/** The k6 params `k6.params` takes (see api.ts). */
const K6_PARAMS = new Set(['headers', 'tags', 'redirects', 'timeout', 'cookies', 'responseCallback']);
const SIMPLE_PARAMS = new Set(['headers', 'tags', 'redirects', 'timeout', 'cookies']);

function literalName(key: AstNode, computed: boolean): string | undefined {
  return propertyName(key, computed);
}

export function convertCode(source: string, scriptUrl: string): ConvertedCode {
  const program = parseModule(source);
  const analysis: Analysis = analyze(program);
  const todos: Todo[] = [];
  const todo = (node: AstNode, text: string) => {
    const line = node.loc?.start.line ?? 0;
    if (!todos.some((t) => t.line === line && t.text === text)) todos.push({ line, text, placed: false });
  };
  const lineStart = (at: number) => source.lastIndexOf('\n', at - 1) + 1;
  const indentOf = (at: number) => /^[ \t]*/.exec(source.slice(lineStart(at), at))?.[0] ?? '';

  const {
    k6Names,
    httpNamespaces,
    httpNamed,
    metricCtors,
    stubs,
    todosOut,
    equivalents,
    execNames,
    metricVars,
    roots,
    named,
    vuRoots,
    vuRootNames,
    vuMethodNames,
    inVu,
    isHttpCall,
    responses,
    defaultCallback,
    stringNames,
  } = scriptFacts(program);

  // ---- edits around nodes
  const prefix = new Map<AstNode, string>();
  const suffix = new Map<AstNode, string>();
  const inserts = new Map<number, string>();
  const add = (m: Map<AstNode, string>, n: AstNode, text: string, before = false) =>
    m.set(n, before ? text + (m.get(n) ?? '') : (m.get(n) ?? '') + text);
  const parents = new Map<AstNode, AstNode | undefined>();
  walk(program, (n, anc) => parents.set(n, anc[anc.length - 1]));

  for (const [fn] of parents) {
    if (fn.type === 'CatchClause' && fn.param) add(suffix, fn.param, ': any');
    if (!isFunction(fn)) continue;
    const parent = parents.get(fn) as AstNode;
    if (analysis.madeAsync.has(fn)) {
      const method =
        (parent.type === 'Property' && parent.method) ||
        (parent.type === 'MethodDefinition' && parent.value === fn);
      add(prefix, method ? (parent.computed ? parent : parent.key) : fn, 'async ', true);
    }
    const params = fn.params as AstNode[];
    const bare =
      fn.type === 'ArrowFunctionExpression' &&
      params.length === 1 &&
      source[(params[0] as AstNode).start - 1] !== '(';
    const takesVu = vuRoots.has(fn) && named.has(fn);
    // Every parameter is typed `any`, as the script's values are: a callback of a list read from
    // JSON is not typed by its context.
    const annotate = true;
    params.forEach((p, i) => {
      let before = bare && (takesVu || annotate) ? '(' : '';
      if (i === 0 && takesVu) before += 'vu: Vu, ';
      if (before) add(prefix, p, before, true);
      if (annotate) {
        const target = p.type === 'AssignmentPattern' ? p.left : p;
        add(suffix, target, target.type === 'RestElement' ? ': any[]' : ': any');
      }
      if (bare && (takesVu || annotate)) add(suffix, p, ')');
    });
    if (takesVu && params.length === 0)
      inserts.set(source.indexOf('(', fn.id ? fn.id.end : fn.start) + 1, 'vu: Vu');
  }

  // ---- the printer
  const raw = (from: number, to: number) => {
    let out = '';
    let pos = from;
    for (const [at, text] of [...inserts]
      .filter(([at]) => at >= from && at < to)
      .sort((a, b) => a[0] - b[0])) {
      out += source.slice(pos, at) + text;
      pos = at;
    }
    return out + source.slice(pos, to);
  };
  const children = (n: AstNode): AstNode[] => {
    const out: AstNode[] = [];
    for (const k of Object.keys(n)) {
      if (k === 'loc') continue;
      const v = n[k];
      if (Array.isArray(v)) for (const x of v) if (isNode(x)) out.push(x);
      if (isNode(v)) out.push(v);
    }
    return out.sort((a, b) => a.start - b.start);
  };
  const generic = (n: AstNode): string => {
    let out = '';
    let pos = n.start;
    for (const c of children(n)) {
      if (c.start < pos) continue; // a shorthand property's key and value share their place
      out += raw(pos, c.start) + print(c);
      pos = c.end;
    }
    return out + raw(pos, n.end);
  };
  const vuRef = (n: AstNode) => (inVu(n) ? 'vu' : undefined);

  const print = (n: AstNode): string => {
    const before = todos.length;
    let out = (prefix.get(n) ?? '') + (rewrite(n) ?? generic(n)) + (suffix.get(n) ?? '');
    const parent = parents.get(n);
    if (n.type === 'CallExpression' && analysis.awaited.has(n) && parent?.type !== 'AwaitExpression')
      out = bareAwait(n, parent) ? `await ${out}` : `(await ${out})`;
    const statement =
      parent?.type === 'BlockStatement' ||
      parent?.type === 'Program' ||
      (parent?.type === 'SwitchCase' && parent.test !== n);
    const mine = statement ? todos.slice(before).filter((t) => !t.placed) : [];
    if (mine.length) {
      const indent = indentOf(n.start);
      for (const t of mine) t.placed = true;
      out =
        mine.map((t) => `// TODO(loadproof convert): line ${t.line}: ${t.text}\n${indent}`).join('') + out;
    }
    return out;
  };

  /** Where `await x` needs no parentheses. */
  const bareAwait = (n: AstNode, parent: AstNode | undefined) =>
    parent?.type === 'ExpressionStatement' ||
    (parent?.type === 'VariableDeclarator' && parent.init === n) ||
    parent?.type === 'ReturnStatement' ||
    (parent?.type === 'ArrowFunctionExpression' && parent.body === n) ||
    (parent?.type === 'AssignmentExpression' && parent.right === n) ||
    (parent?.type === 'Property' && parent.value === n) ||
    ((parent?.type === 'CallExpression' || parent?.type === 'NewExpression') &&
      parent.arguments.includes(n)) ||
    (parent?.type === 'ArrayExpression' && parent.elements.includes(n));
  const argsText = (args: AstNode[]) => args.map(print).join(', ');
  const isNullish = (n: AstNode | undefined) =>
    !n || (n.type === 'Literal' && n.value === null) || (n.type === 'Identifier' && n.name === 'undefined');
  const stringish = (n: AstNode): boolean =>
    (n.type === 'Identifier' && stringNames.has(n.name)) ||
    (n.type === 'Literal' && typeof n.value === 'string') ||
    n.type === 'TemplateLiteral' ||
    (n.type === 'CallExpression' &&
      n.callee.type === 'MemberExpression' &&
      n.callee.object.type === 'Identifier' &&
      n.callee.object.name === 'JSON' &&
      propertyName(n.callee.property, n.callee.computed) === 'stringify');

  /** A request's options: written out when the params are, else through k6.params. */
  const requestOptions = (body: AstNode | undefined, params: AstNode | undefined): string | undefined => {
    const hasBody = !isNullish(body);
    const hasParams = !isNullish(params);
    if (!hasBody && !hasParams) return defaultCallback ? 'k6.params()' : undefined;
    if (params?.type === 'ObjectExpression')
      for (const p of params.properties as AstNode[]) {
        const k = p.type === 'Property' ? literalName(p.key, p.computed) : undefined;
        if (k !== undefined && !K6_PARAMS.has(k))
          todo(p, `params.${k} has no loadproof equivalent: the request fails with an error naming it`);
      }
    const simple =
      !defaultCallback &&
      (!hasBody || stringish(body as AstNode)) &&
      (!hasParams ||
        (params?.type === 'ObjectExpression' &&
          (params.properties as AstNode[]).every((p) => {
            if (p.type !== 'Property' || p.computed) return false;
            const k = literalName(p.key, false) ?? '';
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
                p.value.properties.every(
                  (t: AstNode) => t.type === 'Property' && t.value.type !== 'ObjectExpression',
                )
              );
            return true;
          })));
    if (!simple)
      return `k6.params(${hasParams ? print(params as AstNode) : 'undefined'}${hasBody ? `, ${print(body as AstNode)}` : ''})`;
    const entries: string[] = [];
    if (hasBody) entries.push(`body: ${print(body as AstNode)}`);
    const written: AstNode[] = hasParams ? (params as AstNode).properties : [];
    for (const p of written) {
      const k = literalName(p.key, false) as string;
      if (k === 'tags') {
        const tags: string[] = [];
        for (const t of p.value.properties as AstNode[]) {
          if (literalName(t.key, false) === 'name') entries.push(`name: ${print(t.value)}`);
          else tags.push(print(t));
        }
        if (tags.length) entries.push(`tags: { ${tags.join(', ')} }`);
      } else if (k === 'timeout' && typeof p.value.value === 'number')
        entries.push(`timeout: '${p.value.value}ms'`);
      else entries.push(print(p));
    }
    return `{ ${entries.join(', ')} }`;
  };

  const httpCall = (n: AstNode, method: string, vu: string): string => {
    const args = n.arguments as AstNode[];
    if (method === 'batch') return `k6.batch(${vu}.http, ${argsText(args)})`;
    if (method === 'request') {
      const [m, url, body, params] = args as [AstNode, AstNode, AstNode | undefined, AstNode | undefined];
      const o = requestOptions(body, params);
      return `${vu}.http.request(${print(m)}, ${print(url)}${o ? `, ${o}` : ''})`;
    }
    const [url, second, third] = args as [AstNode, AstNode | undefined, AstNode | undefined];
    const o = WITH_BODY.has(method) ? requestOptions(second, third) : requestOptions(undefined, second);
    if (method === 'options') return `${vu}.http.request('OPTIONS', ${print(url)}${o ? `, ${o}` : ''})`;
    return `${vu}.http.${REQUEST_METHODS[method]}(${print(url)}${o ? `, ${o}` : ''})`;
  };

  const simpleValue = (n: AstNode): boolean =>
    n.type === 'Identifier' ||
    n.type === 'Literal' ||
    (n.type === 'MemberExpression' && !n.computed && simpleValue(n.object));

  const checkCall = (n: AstNode, vu: string): string => {
    const [value, sets, tags] = n.arguments as [AstNode, AstNode | undefined, AstNode | undefined];
    const tagsText = tags ? print(tags) : undefined;
    const literal =
      sets?.type === 'ObjectExpression' &&
      sets.properties.length > 0 &&
      (sets.properties as AstNode[]).every(
        (p) => p.type === 'Property' && literalName(p.key, p.computed) !== undefined,
      );
    if (!literal || !simpleValue(value) || !sets)
      return `k6.check(${vu}, ${print(value)}, ${sets ? print(sets) : '{}'}${tagsText ? `, ${tagsText}` : ''})`;
    const v = print(value);
    const one = (p: AstNode) => {
      const name = quote(literalName(p.key, p.computed) as string);
      if (isFunction(p.value))
        return `${vu}.check(${name}, ${v}, ${print(p.value)}${tagsText ? `, ${tagsText}` : ''})`;
      return `${vu}.check(${name}, ${print(p.value)}${tagsText ? `, undefined, ${tagsText}` : ''})`;
    };
    const calls = (sets.properties as AstNode[]).map(one);
    if (calls.length === 1) return calls[0] as string;
    if (parents.get(n)?.type === 'ExpressionStatement') return calls.join(`;\n${indentOf(n.start)}`);
    return `[${calls.join(', ')}].every(Boolean)`;
  };

  const rewrite = (n: AstNode): string | undefined => {
    const vu = vuRef(n);
    if (n.type === 'Identifier') {
      const parent = parents.get(n);
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
      if (vuRootNames.has(n.name) && !(parent?.type === 'CallExpression' && parent.callee === n)) {
        const declared = [...roots].some(
          ([name, fn]) => name === n.name && (fn.id === n || parents.get(fn)?.id === n),
        );
        if (!declared && vu) return short(`(...args: any[]) => ${n.name}(${vu}, ...args)`);
      }
      return undefined;
    }
    if (n.type === 'NewExpression' && n.callee.type === 'Identifier' && metricCtors.has(n.callee.name)) {
      const parent = parents.get(n);
      if (
        parent?.type === 'VariableDeclarator' &&
        parent.id.type === 'Identifier' &&
        metricVars.has(parent.id.name)
      )
        return print(n.arguments[0]);
      todo(
        n,
        `a ${n.callee.name} that is not a constant with a literal name: declare it in the plan's metrics and record it with vu.metrics`,
      );
      return `k6.unsupported(${quote(`new ${n.callee.name}`)})`;
    }
    if (n.type === 'MemberExpression') {
      const obj = n.object;
      const prop = propertyName(n.property, n.computed);
      if (obj.type === 'Identifier' && httpNamespaces.has(obj.name) && prop && !HTTP_BLOCKING.has(prop)) {
        if (prop === 'expectedStatuses') return 'k6.expectedStatuses';
        if (prop === 'setResponseCallback') return 'k6.setResponseCallback';
        todo(n, `http.${prop} has no direct loadproof equivalent: rewrite it (it fails when used)`);
        return `k6.unsupported(${quote(`http.${prop}`)})`;
      }
      if (
        obj.type === 'MemberExpression' &&
        obj.object.type === 'Identifier' &&
        execNames.has(obj.object.name) &&
        vu
      ) {
        const field = EXECUTION_FIELDS[`${propertyName(obj.property, obj.computed)}.${prop}`];
        if (field) return `${vu}.${field}`;
      }
      if (obj.type === 'Identifier' && responses.has(obj.name) && prop) {
        if (prop === 'body') return `${print(obj)}.text`;
        if (prop === 'error_code') return `k6.errorCode(${print(obj)})`;
        const parent = parents.get(n);
        if (prop === 'timings' && !(parent?.type === 'MemberExpression' && parent.object === n))
          return `k6.timings(${print(obj)})`;
        if (
          ['cookies', 'request', 'remote_ip', 'remote_port', 'html', 'submitForm', 'clickLink'].includes(prop)
        ) {
          todo(n, `the response's ${prop} has no loadproof equivalent: rewrite it (it fails when used)`);
          return `k6.unsupported(${quote(`response.${prop}`)})`;
        }
      }
      if (
        obj.type === 'MemberExpression' &&
        obj.object.type === 'Identifier' &&
        responses.has(obj.object.name)
      ) {
        const field = propertyName(obj.property, obj.computed);
        const res = print(obj.object);
        if (field === 'timings' && prop === 'duration') return `${res}.latencyMs`;
        if (field === 'timings' && prop && TIMING_PHASES.has(prop)) return `(${res}.phases?.${prop} ?? 0)`;
        if (field === 'timings') {
          todo(
            n,
            `timings.${prop}: loadproof does not time it per request (k6 would give 0 or a connection time)`,
          );
          return '0';
        }
        if (field === 'headers' && prop !== undefined && (n.computed ? n.property.type === 'Literal' : true))
          return `${res}.headers[${quote(prop.toLowerCase())}]`;
      }
      return undefined;
    }
    if (n.type === 'CallExpression') {
      const c = n.callee;
      const args = n.arguments as AstNode[];
      const how = analysis.awaited.get(n);
      if (how?.sequential && c.type === 'MemberExpression')
        return `k6.inOrder(${print(c.object)}, '${how.sequential.method}', ${argsText(args)})`;
      if (isHttpCall(n)) {
        const method =
          c.type === 'Identifier'
            ? (httpNamed.get(c.name) as string)
            : (propertyName(c.property, c.computed) as string);
        if (!vu) {
          todo(
            n,
            `http.${method} outside a function of the script that gets the VU (init code, or a function that is not named): move it into one`,
          );
          return `k6.unsupported(${quote(`http.${method} without a VU`)})(${argsText(args)})`;
        }
        return httpCall(n, method, vu);
      }
      if (c.type === 'Identifier') {
        const k6 = k6Names.get(c.name);
        if (k6 === 'fail') return `k6.fail(${argsText(args)})`;
        if (k6 === 'expectedStatuses' || httpNamed.get(c.name) === 'expectedStatuses')
          return `k6.expectedStatuses(${argsText(args)})`;
        if (k6 && !vu) {
          todo(
            n,
            `${k6}() outside a function of the script that gets the VU (init code, or a function that is not named)`,
          );
          return `k6.unsupported(${quote(`${k6} without a VU`)})(${argsText(args)})`;
        }
        if (k6 === 'check') return checkCall(n, vu as string);
        if (k6 === 'sleep' || k6 === 'group') return `${vu}.${k6}(${argsText(args)})`;
        if (vuRootNames.has(c.name)) {
          if (!vu) {
            todo(n, `${c.name}() needs a VU but is called from init code`);
            return `${c.name}(k6.unsupported('a VU in init code')${args.length ? `, ${argsText(args)}` : ''})`;
          }
          return `${c.name}(${vu}${args.length ? `, ${argsText(args)}` : ''})`;
        }
        return undefined;
      }
      if (c.type === 'MemberExpression') {
        const prop = propertyName(c.property, c.computed);
        if (prop === 'add' && c.object.type === 'Identifier' && metricVars.has(c.object.name) && vu) {
          const kind = metricVars.get(c.object.name) as string;
          const [value, tags] = args as [AstNode | undefined, AstNode | undefined];
          let v = value ? print(value) : '1';
          if (
            kind === 'rate' &&
            value &&
            !/^(Binary|Unary|Logical)Expression$/.test(value.type) &&
            !(value.type === 'Literal' && typeof value.value === 'boolean')
          )
            v = `Boolean(${v})`;
          return `${vu}.metrics.${kind}(${c.object.name}, ${v}${tags ? `, ${print(tags)}` : ''})`;
        }
        if (prop && vuMethodNames.has(prop) && vu)
          return `${print(c)}(${vu}${args.length ? `, ${argsText(args)}` : ''})`;
        if (
          prop === 'json' &&
          args.length <= 1 &&
          !(c.object.type === 'Identifier' && c.object.name === 'JSON')
        )
          return `k6.json(${print(c.object)}${args.length ? `, ${print(args[0] as AstNode)}` : ''})`;
      }
      return undefined;
    }
    return undefined;
  };

  // ---- the program, statement by statement
  const exports = new Map<string, ConvertedFunction>();
  const used = new Set([...roots.keys()]);
  const describe = (name: string, fn: AstNode, local = name) =>
    exports.set(name, { local, takesVu: vuRoots.has(fn), params: fn.params.length });
  const body: string[] = [];
  let pos = 0;
  for (const stmt of program.body as AstNode[]) {
    const gap = raw(pos, stmt.start);
    pos = stmt.end;
    if (stmt.type === 'ImportDeclaration') {
      body.push(gap.replace(/[^\n]*$/, ''));
      continue;
    }
    if (stmt.type === 'ExportNamedDeclaration') {
      const decl = stmt.declaration;
      if (!decl) {
        for (const s of stmt.specifiers as AstNode[]) {
          const local = s.local.name;
          const fn = roots.get(local);
          if (fn) describe(propertyName(s.exported, false) ?? local, fn, local);
        }
        body.push(gap.replace(/[^\n]*$/, ''));
        continue;
      }
      if (
        decl.type === 'VariableDeclaration' &&
        decl.declarations.some((d: AstNode) => d.id.type === 'Identifier' && d.id.name === 'options')
      ) {
        body.push(gap, "// options: the plan's scenarios and thresholds (below).");
        continue;
      }
      const f = topLevelFunction(stmt);
      if (f) describe(f.name, f.fn);
      body.push(gap, print(decl));
      continue;
    }
    if (stmt.type === 'ExportDefaultDeclaration') {
      const decl = stmt.declaration;
      if (decl.type === 'Identifier') {
        const fn = roots.get(decl.name);
        if (fn) describe('default', fn, decl.name);
        body.push(gap.replace(/[^\n]*$/, ''));
        continue;
      }
      let name = decl.id?.name as string | undefined;
      if (!name) {
        name = 'main';
        for (let k = 2; used.has(name); k++) name = `main${k}`;
      }
      describe('default', decl, name);
      let text = print(decl);
      if (decl.type === 'FunctionDeclaration' && !decl.id)
        text = text.replace(/^(async )?function\s*(\*?)\s*\(/, `$1function$2 ${name}(`);
      else if (decl.type !== 'FunctionDeclaration') text = `const ${name} = ${text};`;
      body.push(gap, text);
      continue;
    }
    body.push(gap, print(stmt));
  }
  body.push(raw(pos, source.length));
  for (const t of todos) if (!t.placed) stubs.push(`// TODO(loadproof convert): line ${t.line}: ${t.text}`);
  for (const t of todos) todosOut.push(`line ${t.line}: ${t.text}`);

  const head: string[] = [...equivalents, ...stubs];
  const opens = (() => {
    let found = false;
    walk(program, (n) => {
      if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'open')
        found = true;
    });
    return found && !analysis.topLevelNames.has('open');
  })();
  if (opens) head.push(`const open = k6.opener(${scriptUrl});`);
  const code = `${head.length ? `${head.join('\n')}\n` : ''}${body.join('')}`
    .replace(/^#![^\n]*\n/, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { code, exports, todos: todosOut };
}
