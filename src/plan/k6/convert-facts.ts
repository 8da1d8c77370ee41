/**
 * What `loadproof convert` needs to know about a k6 script before rewriting it: what it imports
 * (and what those imports become in a plan), its custom metrics, which of its functions use a VU
 * (directly or through the script's own functions and methods), and which names hold responses
 * or strings.
 */
import { HTTP_BLOCKING } from './analysis.ts';
import { type AstNode, isFunction, propertyName, walk } from './ast.ts';

const METRIC_KINDS: Record<string, string> = {
  Counter: 'counter',
  Gauge: 'gauge',
  Rate: 'rate',
  Trend: 'trend',
};
/** k6/execution's fields that a VU has under another name. */
export const EXECUTION_FIELDS: Record<string, string> = {
  'vu.idInTest': 'id',
  'vu.iterationInScenario': 'iteration',
  'scenario.name': 'scenario',
  'scenario.iterationInTest': 'scenarioIteration',
};

/** A string literal in single quotes (double when it holds one), as the rest of a plan writes them. */
export function quote(s: string): string {
  if (s.includes("'") && !s.includes('"')) return JSON.stringify(s);
  return `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

const isLocalModule = (s: string) => s.startsWith('./') || s.startsWith('../') || s.startsWith('/');

/** Whether every use of k6/execution's `exec` is a field a VU has (in a function that has the VU). */
function executionConverted(program: AstNode, local: string, inVu: (n: AstNode) => boolean): boolean {
  let all = true;
  walk(program, (n, anc) => {
    if (n.type !== 'Identifier' || n.name !== local) return;
    const parent = anc[anc.length - 1];
    if (parent?.type === 'ImportDefaultSpecifier' || parent?.type === 'ImportNamespaceSpecifier') return;
    if (parent?.type === 'Property' && parent.key === n && !parent.computed && !parent.shorthand) return;
    if (parent?.type === 'MemberExpression' && parent.property === n && !parent.computed) return;
    const outer = anc[anc.length - 2];
    const key =
      parent?.type === 'MemberExpression' && outer?.type === 'MemberExpression' && outer.object === parent
        ? `${propertyName(parent.property, parent.computed)}.${propertyName(outer.property, outer.computed)}`
        : '';
    if (!EXECUTION_FIELDS[key] || !inVu(n)) all = false;
  });
  return all;
}

/** The function a name is bound to at the top level (declaration, or `const f = () => ...`). */
export function topLevelFunction(stmt: AstNode): { name: string; fn: AstNode } | undefined {
  const decl = stmt.type === 'ExportNamedDeclaration' && stmt.declaration ? stmt.declaration : stmt;
  if (decl.type === 'FunctionDeclaration' && decl.id) return { name: decl.id.name, fn: decl };
  if (decl.type === 'VariableDeclaration' && decl.declarations.length === 1) {
    const d = decl.declarations[0] as AstNode;
    if (d.id.type === 'Identifier' && d.init && isFunction(d.init)) return { name: d.id.name, fn: d.init };
  }
  return undefined;
}

export type ScriptFacts = ReturnType<typeof scriptFacts>;

export function scriptFacts(program: AstNode) {
  // ---- what the script imports
  const k6Names = new Map<string, string>(); // local → check | sleep | group | fail
  const httpNamespaces = new Set<string>();
  const httpNamed = new Map<string, string>(); // local → k6/http export
  const metricCtors = new Map<string, string>(); // local → metric kind
  const stubs: string[] = [];
  const stub = (local: string, what: string, why: string, node: AstNode) => {
    stubs.push(
      `// TODO(loadproof convert): line ${node.loc?.start.line}: ${what} ${why}; any use of ${local} fails until it is rewritten.`,
      `const ${local}: any = k6.unsupported(${quote(what)});`,
    );
    todosOut.push(`line ${node.loc?.start.line}: ${what} ${why}`);
  };
  const todosOut: string[] = [];
  /** k6 modules whose loadproof equivalent is in the k6 namespace: one line each. */
  const equivalents: string[] = [];
  const execNames = new Set<string>();
  // Stubs decided once the VU analysis below is done.
  const deferred: ((inVu: (n: AstNode) => boolean) => void)[] = [];
  for (const stmt of program.body as AstNode[]) {
    if (stmt.type !== 'ImportDeclaration') continue;
    const from = String(stmt.source.value);
    for (const s of stmt.specifiers as AstNode[]) {
      const local = s.local.name as string;
      const imported = s.type === 'ImportSpecifier' ? (propertyName(s.imported, false) ?? '') : '*';
      if (from === 'k6' && ['check', 'sleep', 'group', 'fail'].includes(imported))
        k6Names.set(local, imported);
      else if (from === 'k6/http' && imported === '*') httpNamespaces.add(local);
      else if (from === 'k6/http' && (HTTP_BLOCKING.has(imported) || imported === 'expectedStatuses'))
        httpNamed.set(local, imported);
      else if (from === 'k6/metrics' && METRIC_KINDS[imported])
        metricCtors.set(local, METRIC_KINDS[imported]);
      else if (from === 'k6/data' && imported === 'SharedArray')
        equivalents.push(`const ${local} = k6.SharedArray;`);
      else if ((from === 'k6/encoding' || from === 'k6/crypto') && imported !== '*' && imported !== 'default')
        equivalents.push(`const ${local} = k6.${from.slice(3)}.${imported};`);
      else if (from === 'k6/encoding' || from === 'k6/crypto')
        equivalents.push(`const ${local}: any = k6.${from.slice(3)};`);
      else if (isLocalModule(from))
        stub(
          local,
          `${imported === '*' ? 'the module' : imported} from '${from}'`,
          'is a module of the k6 script: convert it too and import the result',
          stmt,
        );
      else if (from === 'k6/execution' && imported === '*') {
        execNames.add(local);
        deferred.push((inVu) => {
          if (!executionConverted(program, local, inVu))
            stub(
              local,
              from,
              `has no loadproof equivalent beyond ${Object.keys(EXECUTION_FIELDS)
                .map((f) => `${local}.${f}`)
                .join(', ')} (converted to the VU's)`,
              stmt,
            );
        });
      } else
        stub(
          local,
          `${imported === '*' ? from : `${imported} from '${from}'`}`,
          'has no loadproof equivalent',
          stmt,
        );
    }
  }

  // ---- custom metrics declared in init code: `const orders = new Counter('orders_placed')`
  const metricVars = new Map<string, string>();
  walk(program, (n, anc) => {
    if (n.type !== 'NewExpression' || n.callee.type !== 'Identifier' || !metricCtors.has(n.callee.name))
      return;
    const parent = anc[anc.length - 1];
    const name = n.arguments[0];
    if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier' && name?.type === 'Literal')
      metricVars.set(parent.id.name, metricCtors.get(n.callee.name) as string);
  });

  // ---- which of the script's functions use a VU (directly or through the script's functions)
  const roots = new Map<string, AstNode>();
  for (const stmt of program.body as AstNode[]) {
    const f = topLevelFunction(stmt);
    if (f) roots.set(f.name, f.fn);
    if (stmt.type === 'ExportDefaultDeclaration' && isFunction(stmt.declaration))
      roots.set(stmt.declaration.id?.name ?? '<default>', stmt.declaration);
  }
  // Methods of the script's objects and classes, by name: `api.login()` calls `login`.
  const methods = new Map<string, AstNode[]>();
  walk(program, (n, anc) => {
    if (!isFunction(n) || anc.some(isFunction)) return;
    const parent = anc[anc.length - 1];
    if ((parent?.type === 'Property' || parent?.type === 'MethodDefinition') && parent.value === n) {
      const name = propertyName(parent.key, parent.computed);
      if (name) methods.set(name, [...(methods.get(name) ?? []), n]);
    }
  });
  const named = new Set([...roots.values(), ...[...methods.values()].flat()]);
  const rootOf = new Map<AstNode, AstNode>(); // any node inside a top-level function → that function
  const vuRoots = new Set<AstNode>();
  const callsByRoot = new Map<AstNode, Set<string>>();
  const isHttpCall = (n: AstNode): boolean => {
    if (n.type !== 'CallExpression') return false;
    const c = n.callee;
    if (c.type === 'Identifier') return httpNamed.has(c.name) && httpNamed.get(c.name) !== 'expectedStatuses';
    return (
      c.type === 'MemberExpression' &&
      c.object.type === 'Identifier' &&
      httpNamespaces.has(c.object.name) &&
      HTTP_BLOCKING.has(propertyName(c.property, c.computed) ?? '')
    );
  };
  const usesVu = (n: AstNode): boolean => {
    if (n.type === 'Identifier') return n.name === '__VU' || n.name === '__ITER';
    if (n.type !== 'CallExpression') return false;
    if (isHttpCall(n)) return true;
    const c = n.callee;
    if (c.type === 'Identifier') return ['check', 'sleep', 'group'].includes(k6Names.get(c.name) ?? '');
    return (
      c.type === 'MemberExpression' &&
      c.object.type === 'Identifier' &&
      metricVars.has(c.object.name) &&
      propertyName(c.property, c.computed) === 'add'
    );
  };
  walk(program, (n, anc) => {
    const root = anc.find(isFunction) ?? (isFunction(n) ? n : undefined);
    if (!root) return;
    rootOf.set(n, root);
    if (usesVu(n)) vuRoots.add(root);
    if (n.type !== 'CallExpression') return;
    const c = n.callee;
    const callee =
      c.type === 'Identifier' && roots.has(c.name)
        ? c.name
        : c.type === 'MemberExpression' && methods.has(propertyName(c.property, c.computed) ?? '')
          ? `.${propertyName(c.property, c.computed)}`
          : undefined;
    if (callee) {
      const set = callsByRoot.get(root) ?? new Set<string>();
      set.add(callee);
      callsByRoot.set(root, set);
    }
  });
  const fnsCalled = (callee: string) =>
    callee.startsWith('.') ? (methods.get(callee.slice(1)) ?? []) : [roots.get(callee) as AstNode];
  for (let changed = true; changed; ) {
    changed = false;
    for (const [root, called] of callsByRoot)
      if (!vuRoots.has(root) && [...called].some((c) => fnsCalled(c).some((f) => vuRoots.has(f)))) {
        vuRoots.add(root);
        changed = true;
      }
  }
  const vuRootNames = new Set([...roots].filter(([, fn]) => vuRoots.has(fn)).map(([name]) => name));
  const vuMethodNames = new Set(
    [...methods].filter(([, fns]) => fns.some((f) => vuRoots.has(f))).map(([m]) => m),
  );
  /** Inside a function that gets the VU: a named function or method of the script that uses one. */
  const inVu = (n: AstNode) => {
    const r = rootOf.get(n);
    return r !== undefined && vuRoots.has(r) && named.has(r);
  };
  for (const decide of deferred) decide(inVu);

  // ---- names that hold k6 responses: `const res = http.get(...)`, a check predicate's parameter
  const responses = new Set<string>();
  walk(program, (n) => {
    if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier' && n.init && isHttpCall(n.init))
      responses.add(n.id.name);
    if (
      n.type === 'CallExpression' &&
      n.callee.type === 'Identifier' &&
      k6Names.get(n.callee.name) === 'check'
    ) {
      const sets = n.arguments[1];
      if (sets?.type === 'ObjectExpression') {
        for (const p of sets.properties as AstNode[])
          if (p.type === 'Property' && isFunction(p.value) && p.value.params[0]?.type === 'Identifier')
            responses.add(p.value.params[0].name);
      }
    }
  });

  // ---- http.setResponseCallback: every request then goes through k6.params, which applies it
  let defaultCallback = false;
  walk(program, (n) => {
    if (
      n.type === 'MemberExpression' &&
      n.object.type === 'Identifier' &&
      httpNamespaces.has(n.object.name) &&
      propertyName(n.property, n.computed) === 'setResponseCallback'
    )
      defaultCallback = true;
  });

  // ---- names bound once to a string (`const body = JSON.stringify(...)`): a request body as it is
  const stringNames = new Set<string>();
  walk(program, (n, anc) => {
    const decl = anc[anc.length - 1];
    if (n.type !== 'VariableDeclarator' || decl?.kind !== 'const' || n.id.type !== 'Identifier' || !n.init)
      return;
    const i = n.init;
    if (
      (i.type === 'Literal' && typeof i.value === 'string') ||
      i.type === 'TemplateLiteral' ||
      (i.type === 'CallExpression' &&
        i.callee.type === 'MemberExpression' &&
        i.callee.object.type === 'Identifier' &&
        i.callee.object.name === 'JSON' &&
        propertyName(i.callee.property, i.callee.computed) === 'stringify')
    )
      stringNames.add(n.id.name);
  });
  return {
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
    methods,
    named,
    rootOf,
    vuRoots,
    vuRootNames,
    vuMethodNames,
    inVu,
    isHttpCall,
    responses,
    defaultCallback,
    stringNames,
  };
}
