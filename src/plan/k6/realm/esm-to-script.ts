/**
 * A module of a k6 script (after transform.ts made its blocking calls awaited) as the body of a
 * function the realm can run: Node 20 has vm.SourceTextModule only behind
 * --experimental-vm-modules, a per-process flag that would change the engine's own process, so
 * the realm runs plain scripts and links modules itself (realm.ts), as k6 itself runs modules
 * turned into CommonJS:
 *
 * - `import ... from 'x'` becomes `__loadproofK6.import('x')` at the top, and each use of an
 *   imported name reads the module's exports (`check(...)` → `__i0.check(...)`): bindings stay
 *   live, so modules that import each other in a cycle work as ESM allows;
 * - `export ...` becomes getters on the module's exports, defined before its code runs;
 * - `import(x)` is the realm's dynamic import, `import.meta.url` the module's URL;
 * - a module without import or export is CommonJS: `require`, `module` and `exports` are there.
 *
 * Every edit keeps the lines where they were, so errors name the script's own lines.
 */
import { type AstNode, isFunction, isNode, parseModule, walk } from '../ast.ts';
import { RUNTIME_NAME } from '../transform.ts';

export interface ModuleImport {
  specifier: string;
  line?: number;
  /** `require('x')` rather than `import`. */
  required?: true;
}

export interface ScriptModule {
  /** `(async function (__loadproofK6) { ... })` (async: top-level await), on the module's own lines. */
  code: string;
  /** Static imports and literal require() calls, in order. */
  imports: ModuleImport[];
  esm: boolean;
}

interface Edit {
  at: number;
  end: number;
  text: string;
}

/** Declared names of a pattern (`{ a, b: [c] }` → a, c). */
function patternNames(p: AstNode | null | undefined, out: string[] = []): string[] {
  if (!p) return out;
  switch (p.type) {
    case 'Identifier':
      out.push(p.name);
      break;
    case 'ObjectPattern':
      for (const prop of p.properties)
        patternNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
      break;
    case 'ArrayPattern':
      for (const el of p.elements) patternNames(el, out);
      break;
    case 'RestElement':
      patternNames(p.argument, out);
      break;
    case 'AssignmentPattern':
      patternNames(p.left, out);
      break;
  }
  return out;
}

/** Names a statement list declares in its own block. */
function blockNames(statements: AstNode[], out: Set<string>): void {
  for (const s of statements) {
    const d =
      s.type === 'ExportNamedDeclaration' || s.type === 'ExportDefaultDeclaration' ? s.declaration : s;
    if (!isNode(d)) continue;
    if (d.type === 'VariableDeclaration')
      for (const v of d.declarations) for (const n of patternNames(v.id)) out.add(n);
    else if ((d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') && d.id) out.add(d.id.name);
  }
}

/** `var` names of a function body, not looking into nested functions. */
function varNames(body: AstNode, out: Set<string>): void {
  const visit = (n: AstNode) => {
    if (n !== body && isFunction(n)) return;
    if (n.type === 'VariableDeclaration' && n.kind === 'var')
      for (const v of n.declarations) for (const name of patternNames(v.id)) out.add(name);
    for (const key of Object.keys(n)) {
      if (key === 'loc') continue;
      const v = n[key];
      if (Array.isArray(v)) for (const x of v) isNode(x) && visit(x);
      else if (isNode(v)) visit(v);
    }
  };
  visit(body);
}

/** The names a scope node declares (undefined: not a scope). */
function scopeNames(n: AstNode): Set<string> | undefined {
  const out = new Set<string>();
  if (isFunction(n)) {
    for (const p of n.params) for (const name of patternNames(p)) out.add(name);
    if (n.type === 'FunctionExpression' && n.id) out.add(n.id.name);
    if (n.body.type === 'BlockStatement') varNames(n.body, out);
    return out;
  }
  if (n.type === 'ClassExpression' && n.id) return out.add(n.id.name);
  if (n.type === 'BlockStatement' || n.type === 'StaticBlock') blockNames(n.body, out);
  else if (n.type === 'SwitchStatement') for (const c of n.cases) blockNames(c.consequent, out);
  else if (n.type === 'CatchClause') for (const x of patternNames(n.param)) out.add(x);
  else if (n.type === 'ForStatement' && n.init?.type === 'VariableDeclaration') blockNames([n.init], out);
  else if (
    (n.type === 'ForInStatement' || n.type === 'ForOfStatement') &&
    n.left.type === 'VariableDeclaration'
  )
    blockNames([n.left], out);
  else return undefined;
  return out;
}

/** Whether an Identifier node is a reference to a variable (not a property name, label, ...). */
function isReference(node: AstNode, parent: AstNode | undefined): boolean {
  if (!parent) return true;
  switch (parent.type) {
    case 'MemberExpression':
      return parent.object === node || parent.computed;
    case 'Property':
    case 'PropertyDefinition':
    case 'MethodDefinition':
      return parent.value === node || (parent.computed && parent.key === node);
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'MetaProperty':
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
    case 'ExportSpecifier':
      return false;
  }
  return true;
}

const linesOf = (text: string) => text.replace(/[^\n]/g, '');

export function moduleToScript(source: string): ScriptModule {
  const program = parseModule(source);
  const edits: Edit[] = [];
  const imports: ModuleImport[] = [];
  const prelude: string[] = [];
  // imported local name -> the expression that reads it
  const bindings = new Map<string, string>();
  const getters: string[] = [];
  const stars: string[] = [];
  let esm = false;
  let n = 0;
  const importOf = (specifier: string, line?: number) => {
    imports.push({ specifier, ...(line ? { line } : {}) });
    const local = `__i${n++}`;
    prelude.push(`const ${local} = ${RUNTIME_NAME}.import(${JSON.stringify(specifier)});`);
    return local;
  };
  const remove = (s: AstNode) =>
    edits.push({ at: s.start, end: s.end, text: linesOf(source.slice(s.start, s.end)) });
  const exported = (name: string, expression: string) =>
    getters.push(`${JSON.stringify(name)}: () => ${expression}`);
  const topLevel = new Set<string>();
  blockNames(program.body, topLevel);

  for (const s of program.body as AstNode[]) {
    const line = s.loc?.start.line;
    if (s.type === 'ImportDeclaration') {
      esm = true;
      const local = importOf(String(s.source.value), line);
      for (const sp of s.specifiers) {
        if (sp.type === 'ImportDefaultSpecifier') bindings.set(sp.local.name, `${local}.default`);
        else if (sp.type === 'ImportNamespaceSpecifier') bindings.set(sp.local.name, local);
        else {
          const name = sp.imported.type === 'Identifier' ? sp.imported.name : String(sp.imported.value);
          bindings.set(sp.local.name, `${local}[${JSON.stringify(name)}]`);
        }
      }
      remove(s);
    } else if (s.type === 'ExportAllDeclaration') {
      esm = true;
      const local = importOf(String(s.source.value), line);
      if (s.exported) exported(s.exported.type === 'Identifier' ? s.exported.name : s.exported.value, local);
      else stars.push(local);
      remove(s);
    } else if (s.type === 'ExportNamedDeclaration') {
      esm = true;
      if (s.declaration) {
        const d = s.declaration;
        const names =
          d.type === 'VariableDeclaration'
            ? d.declarations.flatMap((v: AstNode) => patternNames(v.id))
            : [d.id.name];
        for (const name of names) exported(name, name);
        edits.push({ at: s.start, end: d.start, text: '' });
      } else {
        const from = s.source ? importOf(String(s.source.value), line) : undefined;
        for (const sp of s.specifiers) {
          const local = sp.local.type === 'Identifier' ? sp.local.name : String(sp.local.value);
          const as = sp.exported.type === 'Identifier' ? sp.exported.name : String(sp.exported.value);
          exported(as, from ? `${from}[${JSON.stringify(local)}]` : local);
        }
        remove(s);
      }
    } else if (s.type === 'ExportDefaultDeclaration') {
      esm = true;
      const d = s.declaration;
      if ((d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') && d.id) {
        exported('default', d.id.name);
        edits.push({ at: s.start, end: d.start, text: '' });
      } else {
        exported('default', '__default');
        edits.push({ at: s.start, end: d.start, text: 'const __default = ' });
        if (d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration')
          edits.push({ at: s.end, end: s.end, text: ';' });
      }
    }
  }
  // Each scope's names once (a bundle may refer to an import many times, deep in functions).
  const scopes = new Map<AstNode, Set<string> | undefined>();
  const scopeOf = (n: AstNode) => {
    if (!scopes.has(n)) scopes.set(n, scopeNames(n));
    return scopes.get(n);
  };
  // Imported names read live through their module; import(), import.meta, require('literal').
  walk(program, (node, ancestors) => {
    const parent = ancestors[ancestors.length - 1];
    if (node.type === 'ImportExpression') {
      edits.push({ at: node.start, end: node.source.start, text: `${RUNTIME_NAME}.dynamicImport(` });
      return;
    }
    if (node.type === 'MetaProperty' && node.meta.name === 'import') {
      edits.push({ at: node.start, end: node.end, text: `${RUNTIME_NAME}.meta` });
      return;
    }
    if (
      node.type === 'CallExpression' &&
      node.callee.type === 'Identifier' &&
      node.callee.name === 'require' &&
      node.arguments[0]?.type === 'Literal' &&
      typeof node.arguments[0].value === 'string'
    )
      imports.push({ specifier: node.arguments[0].value, required: true, line: node.loc?.start.line });
    if (node.type !== 'Identifier' || !bindings.has(node.name) || !isReference(node, parent)) return;
    if (parent?.type === 'ExportSpecifier') return;
    for (const a of ancestors) if (a !== program && scopeOf(a)?.has(node.name)) return;
    const read = bindings.get(node.name) as string;
    if (parent?.type === 'Property' && parent.shorthand)
      edits.push({ at: node.start, end: node.end, text: `${node.name}: ${read}` });
    else edits.push({ at: node.start, end: node.end, text: read });
  });
  // An export of an imported name reads it through its module.
  const exportGetters = getters.map((g) => {
    const m = /^("[^"]*"): \(\) => ([A-Za-z_$][\w$]*)$/.exec(g);
    return m && bindings.has(m[2] as string) ? `${m[1]}: () => ${bindings.get(m[2] as string)}` : g;
  });

  const helpers: string[] = [];
  for (const name of ['open', 'require', 'module', 'exports'])
    if (!topLevel.has(name) && !bindings.has(name)) helpers.push(`${name} = ${RUNTIME_NAME}.${name}`);
  const head = [
    `(async function (${RUNTIME_NAME}) {'use strict';`,
    helpers.length ? `const ${helpers.join(', ')};` : '',
    `${RUNTIME_NAME}.defineExports({${exportGetters.join(', ')}});`,
    ...prelude,
    ...stars.map((s) => `${RUNTIME_NAME}.exportStar(${s});`),
  ].join('');
  edits.sort((a, b) => a.at - b.at);
  let out = '';
  let pos = 0;
  const hashBang = source.startsWith('#!') ? source.indexOf('\n') : 0;
  if (hashBang > 0) pos = hashBang;
  for (const e of edits) {
    if (e.at < pos) continue;
    out += source.slice(pos, e.at) + e.text;
    pos = e.end;
  }
  out += source.slice(pos);
  return { code: `${head}${out}\n})`, imports, esm };
}
