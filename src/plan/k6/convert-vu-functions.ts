/**
 * Which of a k6 script's functions use a VU in a converted plan: those that make a request, check,
 * sleep, group, record a custom metric or read `__VU` / `__ITER`, directly or through the
 * script's own functions and methods (`api.login()` calls every method named `login`). A named
 * one takes the VU as its first parameter; calls of it pass it on.
 */

import { HTTP_BLOCKING } from './analysis.ts';
import { type AstNode, isFunction, propertyName, walk } from './ast.ts';
import { exportOf } from './k6-api.ts';

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

/** The script's names for k6's API that a VU is needed for. */
export interface VuNames {
  k6Names: Map<string, string>;
  httpNamespaces: Set<string>;
  httpNamed: Map<string, string>;
  /** Custom metric variables → kind. */
  metricVars: Map<string, string>;
}

/** A call of a k6/http request, named or through the namespace. */
export function httpCallTest(names: Pick<VuNames, 'httpNamespaces' | 'httpNamed'>) {
  return (n: AstNode): boolean => {
    if (n.type !== 'CallExpression') return false;
    const c = n.callee;
    if (c.type === 'Identifier')
      return names.httpNamed.has(c.name) && HTTP_BLOCKING.has(names.httpNamed.get(c.name) as string);
    return (
      c.type === 'MemberExpression' &&
      c.object.type === 'Identifier' &&
      names.httpNamespaces.has(c.object.name) &&
      HTTP_BLOCKING.has(propertyName(c.property, c.computed) ?? '')
    );
  };
}

/** Whether this node itself needs the VU. */
function usesVuTest(names: VuNames, isHttpCall: (n: AstNode) => boolean) {
  return (n: AstNode): boolean => {
    if (n.type === 'Identifier') return n.name === '__VU' || n.name === '__ITER';
    if (n.type !== 'CallExpression') return false;
    if (isHttpCall(n)) return true;
    const c = n.callee;
    if (c.type === 'Identifier') {
      const k6 = names.k6Names.get(c.name);
      const as = k6 === undefined ? undefined : exportOf('k6', k6)?.convert;
      return as !== undefined && ('check' in as || ('to' in as && as.to.startsWith('vu.')));
    }
    return (
      c.type === 'MemberExpression' &&
      c.object.type === 'Identifier' &&
      names.metricVars.has(c.object.name) &&
      propertyName(c.property, c.computed) === 'add'
    );
  };
}

export interface VuFunctions {
  /** Top-level functions by name (`<default>` for an anonymous default export). */
  roots: Map<string, AstNode>;
  /** Methods of the script's objects and classes, by name. */
  methods: Map<string, AstNode[]>;
  /** Functions known by a name: top-level ones and methods. */
  named: Set<AstNode>;
  /** Outermost functions that use a VU. */
  vuRoots: Set<AstNode>;
  vuRootNames: Set<string>;
  vuMethodNames: Set<string>;
  /** Inside a function that gets the VU: a named function or method of the script that uses one. */
  inVu: (n: AstNode) => boolean;
}

function namedFunctions(program: AstNode) {
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
  return { roots, methods };
}

export function vuFunctions(
  program: AstNode,
  names: VuNames,
  isHttpCall: (n: AstNode) => boolean,
): VuFunctions {
  const { roots, methods } = namedFunctions(program);
  const named = new Set([...roots.values(), ...[...methods.values()].flat()]);
  const usesVu = usesVuTest(names, isHttpCall);
  const rootOf = new Map<AstNode, AstNode>(); // any node inside a top-level function → that function
  const vuRoots = new Set<AstNode>();
  const callsByRoot = new Map<AstNode, Set<string>>();
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
  const inVu = (n: AstNode) => {
    const r = rootOf.get(n);
    return r !== undefined && vuRoots.has(r) && named.has(r);
  };
  return { roots, methods, named, vuRoots, vuRootNames, vuMethodNames, inVu };
}
