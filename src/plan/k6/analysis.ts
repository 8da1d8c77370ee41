/**
 * Which of a k6 script's functions block, and which calls must be awaited.
 *
 * k6 runs each VU on its own JavaScript runtime, so `http.get` may block; loadproof runs many
 * VUs on one event loop, so the script is rewritten: every function that (directly or through
 * the script's own functions) makes a blocking call becomes `async`, and each such call is
 * awaited. Blocking calls are k6/http's requests, k6's `sleep` and `group`, a `check` whose
 * predicates block, calls of the script's blocking functions (found by name: `login()` and
 * `api.login()` both name `login`), calls of functions imported from the script's own modules,
 * calls of a parameter (a callback), and array methods given a blocking callback (run one
 * element after another, as k6 would). A blocking function where JavaScript needs an answer at
 * once (a getter or setter, a constructor, a generator, a sort comparator, a replace callback)
 * cannot be rewritten: an issue names its line.
 */
import { type AstNode, isFunction, lineOf, propertyName, type ScriptIssue, walk } from './ast.ts';
import { exportNames, exportOf } from './k6-api.ts';

/** k6/http's exports that send a request and wait for its answer. */
export const HTTP_BLOCKING = exportNames('k6/http', (e) => e.blocking === true);
/** k6's exports that wait (`check` waits only when a predicate does). */
const K6_BLOCKING = exportNames('k6', (e) => e.blocking === true);
/** Array methods whose callback may block: rewritten to run element by element. */
export const SEQUENTIAL_METHODS = new Set([
  'forEach',
  'map',
  'filter',
  'some',
  'every',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'flatMap',
  'reduce',
  'reduceRight',
]);
/** Methods whose callback must answer at once. */
const SYNC_CALLBACK_METHODS = new Set([
  'sort',
  'toSorted',
  'replace',
  'replaceAll',
  'from',
  'stringify',
  'parse',
]);

/** What an imported name is bound to: `*` for a default or namespace import. */
interface Binding {
  module: string;
  imported: string;
}

export interface AwaitedCall {
  /** Set when the call is an array method run element by element. */
  sequential?: { method: string };
}

export interface Analysis {
  /** The script's functions that become async (not those already written async). */
  madeAsync: Set<AstNode>;
  awaited: Map<AstNode, AwaitedCall>;
  issues: ScriptIssue[];
  /** Local names bound at the module's top level. */
  topLevelNames: Set<string>;
}

function isLocalModule(source: string): boolean {
  return source.startsWith('./') || source.startsWith('../') || source.startsWith('/');
}

/** The names a function is known by: its own, the variable, property or method it is bound to. */
function namesOf(fn: AstNode, parent: AstNode | undefined): string[] {
  const names: string[] = [];
  if (fn.id?.type === 'Identifier') names.push(fn.id.name);
  if (!parent) return names;
  if (parent.type === 'VariableDeclarator' && parent.init === fn && parent.id.type === 'Identifier')
    names.push(parent.id.name);
  if (
    (parent.type === 'Property' ||
      parent.type === 'MethodDefinition' ||
      parent.type === 'PropertyDefinition') &&
    parent.value === fn
  ) {
    const n = propertyName(parent.key, parent.computed);
    if (n) names.push(n);
  }
  if (parent.type === 'AssignmentExpression' && parent.right === fn) {
    const l = parent.left;
    if (l.type === 'Identifier') names.push(l.name);
    else if (l.type === 'MemberExpression') {
      const n = propertyName(l.property, l.computed);
      if (n) names.push(n);
    }
  }
  return names;
}

function paramNames(fn: AstNode): string[] {
  const out: string[] = [];
  const add = (p: AstNode | null | undefined) => {
    if (!p) return;
    if (p.type === 'Identifier') out.push(p.name);
    else if (p.type === 'AssignmentPattern') add(p.left);
    else if (p.type === 'RestElement') add(p.argument);
  };
  for (const p of fn.params as AstNode[]) add(p);
  return out;
}

interface CallSite {
  call: AstNode;
  /** The nearest enclosing function; undefined in init code. */
  fn: AstNode | undefined;
  /** Parameter names of the enclosing function (a call of one is a callback's). */
  params: Set<string>;
}

export function analyze(program: AstNode): Analysis {
  const bindings = new Map<string, Binding>();
  const localImports = new Set<string>();
  const topLevelNames = new Set<string>();
  for (const stmt of program.body as AstNode[]) {
    if (stmt.type === 'ImportDeclaration') {
      const source = stmt.source.value as string;
      for (const s of stmt.specifiers as AstNode[]) {
        topLevelNames.add(s.local.name);
        if (isLocalModule(source)) localImports.add(s.local.name);
        else
          bindings.set(s.local.name, {
            module: source,
            imported: s.type === 'ImportSpecifier' ? (propertyName(s.imported, false) ?? '*') : '*',
          });
      }
    }
    const decl = stmt.type.startsWith('Export') && stmt.declaration ? stmt.declaration : stmt;
    if (decl.type === 'FunctionDeclaration' || decl.type === 'ClassDeclaration') {
      if (decl.id) topLevelNames.add(decl.id.name);
    } else if (decl.type === 'VariableDeclaration') {
      for (const d of decl.declarations as AstNode[])
        if (d.id.type === 'Identifier') topLevelNames.add(d.id.name);
    }
  }

  const instances = instancesWithBlockingMethods(program, bindings);
  const names = new Map<AstNode, string[]>();
  const parents = new Map<AstNode, AstNode | undefined>();
  const calls: CallSite[] = [];
  walk(program, (node, ancestors) => {
    if (isFunction(node)) {
      const parent = ancestors[ancestors.length - 1];
      parents.set(node, parent);
      names.set(node, namesOf(node, parent));
    } else if (node.type === 'CallExpression') {
      let fn: AstNode | undefined;
      for (let i = ancestors.length - 1; i >= 0 && !fn; i--)
        if (isFunction(ancestors[i] as AstNode)) fn = ancestors[i];
      calls.push({ call: node, fn, params: new Set(fn ? paramNames(fn) : []) });
    }
  });

  const blockingFns = new Set<AstNode>();
  const blockingNames = new Set<string>();
  const awaited = new Map<AstNode, AwaitedCall>();

  const blockingValue = (v: AstNode | undefined): boolean => {
    if (!v) return false;
    if (isFunction(v)) return blockingFns.has(v);
    if (v.type === 'Identifier') return blockingNames.has(v.name) || localImports.has(v.name);
    return false;
  };
  const binding = (n: AstNode): Binding | undefined =>
    n.type === 'Identifier' ? bindings.get(n.name) : undefined;

  const classify = (site: CallSite): AwaitedCall | undefined => {
    const { call } = site;
    const callee = call.callee as AstNode;
    const args = call.arguments as AstNode[];
    if (callee.type === 'Identifier') {
      const b = bindings.get(callee.name);
      if (b?.module === 'k6' && K6_BLOCKING.has(b.imported)) return {};
      if (b?.module === 'k6' && exportOf('k6', b.imported)?.blocking === 'predicates') {
        const predicates = args[1];
        const blocks =
          blockingValue(predicates) ||
          (predicates?.type === 'ObjectExpression' &&
            (predicates.properties as AstNode[]).some((p) => blockingValue(p.value)));
        return blocks ? {} : undefined;
      }
      if (b?.module === 'k6/http' && HTTP_BLOCKING.has(b.imported)) return {};
      if (localImports.has(callee.name) || blockingNames.has(callee.name) || site.params.has(callee.name))
        return {};
      return undefined;
    }
    if (callee.type === 'MemberExpression') {
      const prop = propertyName(callee.property, callee.computed);
      const b = binding(callee.object);
      if (b && b.imported === '*') {
        if (b.module === 'k6/http' && prop && HTTP_BLOCKING.has(prop)) return {};
        if (b.module === 'k6' && prop && K6_BLOCKING.has(prop)) return {};
      }
      if (callee.object.type === 'Identifier' && localImports.has(callee.object.name)) return {};
      if (callee.object.type === 'Identifier' && prop && instances.get(callee.object.name)?.has(prop))
        return {};
      if (prop && SEQUENTIAL_METHODS.has(prop) && blockingValue(args[0]))
        return { sequential: { method: prop } };
      if (prop && blockingNames.has(prop)) return {};
      return undefined;
    }
    if (isFunction(callee) && blockingFns.has(callee)) return {};
    return undefined;
  };

  let changed = true;
  while (changed) {
    changed = false;
    for (const site of calls) {
      if (awaited.has(site.call)) continue;
      const how = classify(site);
      if (!how) continue;
      awaited.set(site.call, how);
      changed = true;
      if (site.fn && !blockingFns.has(site.fn)) {
        blockingFns.add(site.fn);
        for (const n of names.get(site.fn) ?? []) blockingNames.add(n);
      }
    }
  }

  const issues: ScriptIssue[] = [];
  const madeAsync = new Set<AstNode>();
  for (const fn of blockingFns) {
    const parent = parents.get(fn);
    const why = syncPlace(fn, parent);
    if (why) {
      issues.push({
        line: lineOf(fn),
        message: `${why} makes blocking calls (an HTTP request, sleep, group or a function that makes them); it cannot be made asynchronous`,
      });
      continue;
    }
    if (!fn.async) madeAsync.add(fn);
  }
  return { madeAsync, awaited, issues, topLevelNames };
}

/**
 * Variables bound to `new C(...)` where C is a k6 class whose instances' methods block (the
 * table's `instanceBlocks`, such as k6/experimental/tracing's Client) → those method names.
 */
function instancesWithBlockingMethods(
  program: AstNode,
  bindings: Map<string, Binding>,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const classOf = (callee: AstNode): string[] | undefined => {
    if (callee.type === 'Identifier') {
      const b = bindings.get(callee.name);
      return b && b.imported !== '*' ? exportOf(b.module, b.imported)?.instanceBlocks : undefined;
    }
    if (callee.type === 'MemberExpression' && callee.object.type === 'Identifier') {
      const b = bindings.get(callee.object.name);
      const prop = propertyName(callee.property, callee.computed);
      return b?.imported === '*' && prop ? exportOf(b.module, prop)?.instanceBlocks : undefined;
    }
    return undefined;
  };
  const bind = (target: AstNode, value: AstNode | null | undefined) => {
    if (target.type !== 'Identifier' || value?.type !== 'NewExpression') return;
    const methods = classOf(value.callee as AstNode);
    if (methods) out.set(target.name, new Set(methods));
  };
  walk(program, (node) => {
    if (node.type === 'VariableDeclarator') bind(node.id, node.init);
    else if (node.type === 'AssignmentExpression') bind(node.left, node.right);
  });
  return out;
}

/** Why a function must stay synchronous, or undefined when it may become async. */
function syncPlace(fn: AstNode, parent: AstNode | undefined): string | undefined {
  if (fn.generator) return 'a generator function';
  if (!parent) return undefined;
  if ((parent.type === 'Property' || parent.type === 'MethodDefinition') && parent.value === fn) {
    if (parent.kind === 'get') return 'a getter';
    if (parent.kind === 'set') return 'a setter';
    if (parent.kind === 'constructor') return 'a constructor';
  }
  if (parent.type === 'CallExpression' && (parent.arguments as AstNode[]).includes(fn)) {
    const callee = parent.callee as AstNode;
    const name =
      callee.type === 'MemberExpression' ? propertyName(callee.property, callee.computed) : undefined;
    if (name && SYNC_CALLBACK_METHODS.has(name)) return `a callback given to ${name}()`;
  }
  if (parent.type === 'NewExpression') return 'a function given to a constructor';
  return undefined;
}
