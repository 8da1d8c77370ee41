/**
 * What `loadproof convert` needs to know about a k6 script before rewriting it: what it imports
 * (and what those imports become in a plan, convert-imports.ts), its custom metrics, which of its
 * functions use a VU (convert-vu-functions.ts), and which names hold responses or strings.
 */
import { type AstNode, isFunction, propertyName, walk } from './ast.ts';
import { importFacts, type Stub, stubOf } from './convert-imports.ts';
import { httpCallTest, vuFunctions } from './convert-vu-functions.ts';
import { executionFields } from './k6-api.ts';

/** k6/execution's fields that a VU has under another name. */
export const EXECUTION_FIELDS: Record<string, string> = executionFields();

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
    if (!Object.hasOwn(EXECUTION_FIELDS, key) || !inVu(n)) all = false;
  });
  return all;
}

/** Custom metrics declared in init code: `const orders = new Counter('orders_placed')` → orders → counter. */
function metricVariables(program: AstNode, metricCtors: Map<string, string>): Map<string, string> {
  const metricVars = new Map<string, string>();
  walk(program, (n, anc) => {
    if (n.type !== 'NewExpression' || n.callee.type !== 'Identifier' || !metricCtors.has(n.callee.name))
      return;
    const parent = anc[anc.length - 1];
    const name = n.arguments[0];
    if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier' && name?.type === 'Literal')
      metricVars.set(parent.id.name, metricCtors.get(n.callee.name) as string);
  });
  return metricVars;
}

/** Names that hold k6 responses: `const res = http.get(...)`, a check predicate's parameter. */
function responseNames(
  program: AstNode,
  isHttpCall: (n: AstNode) => boolean,
  k6Names: Map<string, string>,
): Set<string> {
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
  return responses;
}

/** Whether the script calls http.setResponseCallback: every request then goes through k6.params, which applies it. */
function setsResponseCallback(program: AstNode, httpNamespaces: Set<string>): boolean {
  let found = false;
  walk(program, (n) => {
    if (
      n.type === 'MemberExpression' &&
      n.object.type === 'Identifier' &&
      httpNamespaces.has(n.object.name) &&
      propertyName(n.property, n.computed) === 'setResponseCallback'
    )
      found = true;
  });
  return found;
}

/** Names bound once to a string (`const body = JSON.stringify(...)`): a request body as it is. */
function stringNamesOf(program: AstNode): Set<string> {
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
  return stringNames;
}

/** A k6/execution import the plan cannot give: some use is not a field a VU has. */
function executionStub(local: string, stmt: AstNode): Stub {
  return stubOf(
    local,
    'k6/execution',
    `has no loadproof equivalent beyond ${Object.keys(EXECUTION_FIELDS)
      .map((f) => `${local}.${f}`)
      .join(', ')} (converted to the VU's)`,
    stmt,
  );
}

export type ScriptFacts = ReturnType<typeof scriptFacts>;

export function scriptFacts(program: AstNode) {
  const imports = importFacts(program);
  const { k6Names, httpNamespaces, httpNamed, metricCtors } = imports;
  const metricVars = metricVariables(program, metricCtors);
  const isHttpCall = httpCallTest(imports);
  const vu = vuFunctions(program, { k6Names, httpNamespaces, httpNamed, metricVars }, isHttpCall);
  const stubs = [
    ...imports.stubs,
    ...imports.execution
      .filter(({ local }) => !executionConverted(program, local, vu.inVu))
      .map(({ local, stmt }) => executionStub(local, stmt)),
  ];
  return {
    k6Names,
    httpNamespaces,
    httpNamed,
    metricCtors,
    /** The stubs' lines (TODO comment and stub), for the plan's head. */
    stubs: stubs.flatMap((s) => s.lines),
    /** `line N: what` of each stub. */
    stubTodos: stubs.map((s) => s.todo),
    equivalents: imports.equivalents,
    execNames: new Set(imports.execution.map((e) => e.local)),
    metricVars,
    ...vu,
    isHttpCall,
    responses: responseNames(program, isHttpCall, k6Names),
    defaultCallback: setsResponseCallback(program, httpNamespaces),
    stringNames: stringNamesOf(program),
  };
}
