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
 * What each k6 export becomes is k6-api.ts's; the blocking model is the one `loadproof run` uses
 * (analysis.ts): the same functions become async and the same calls are awaited. This file puts
 * the pieces together: the facts (convert-facts.ts), the printer (convert-printer.ts), the
 * rewrite rules (convert-rewrite.ts), and the program statement by statement.
 */
import { analyze } from './analysis.ts';
import { type AstNode, parseModule, propertyName, walk } from './ast.ts';
import { scriptFacts } from './convert-facts.ts';
import { type Conversion, printerOf, signatureEdits, type Todo } from './convert-printer.ts';
import { rewrite } from './convert-rewrite.ts';
import { topLevelFunction } from './convert-vu-functions.ts';

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

/** The script parsed, with what is known of it and the printer over it. */
function conversionOf(source: string): { program: AstNode; c: Conversion } {
  const program = parseModule(source);
  const parents = new Map<AstNode, AstNode | undefined>();
  walk(program, (n, anc) => parents.set(n, anc[anc.length - 1]));
  const todos: Todo[] = [];
  const lineStart = (at: number) => source.lastIndexOf('\n', at - 1) + 1;
  const c: Conversion = {
    source,
    analysis: analyze(program),
    facts: scriptFacts(program),
    parents,
    todos,
    todo: (node, text) => {
      const line = node.loc?.start.line ?? 0;
      if (!todos.some((t) => t.line === line && t.text === text)) todos.push({ line, text, placed: false });
    },
    indentOf: (at) => /^[ \t]*/.exec(source.slice(lineStart(at), at))?.[0] ?? '',
    print: () => '',
    raw: () => '',
  };
  // The printer and the rewrite rules call each other: the printer is put in once both exist.
  Object.assign(
    c,
    printerOf(c, signatureEdits(c), (n) => rewrite(c, n)),
  );
  return { program, c };
}

/** The program statement by statement: imports dropped, `options` replaced by the plan, exports described. */
function programText(
  c: Conversion,
  program: AstNode,
): { body: string; exports: Map<string, ConvertedFunction> } {
  const { roots, vuRoots } = c.facts;
  const exports = new Map<string, ConvertedFunction>();
  const used = new Set([...roots.keys()]);
  const describe = (name: string, fn: AstNode, local = name) =>
    exports.set(name, { local, takesVu: vuRoots.has(fn), params: fn.params.length });
  const body: string[] = [];
  let pos = 0;
  for (const stmt of program.body as AstNode[]) {
    const gap = c.raw(pos, stmt.start);
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
      body.push(gap, c.print(decl));
      continue;
    }
    if (stmt.type === 'ExportDefaultDeclaration') {
      const text = defaultExport(c, stmt.declaration, used, describe);
      // `export default name;` is dropped, as imports are: the plan calls the function by its name.
      body.push(stmt.declaration.type === 'Identifier' ? gap.replace(/[^\n]*$/, '') : gap, text);
      continue;
    }
    body.push(gap, c.print(stmt));
  }
  body.push(c.raw(pos, c.source.length));
  return { body: body.join(''), exports };
}

/** `export default function () {...}` (or an expression, or a name) as a named function of the plan. */
function defaultExport(
  c: Conversion,
  decl: AstNode,
  used: Set<string>,
  describe: (name: string, fn: AstNode, local?: string) => void,
): string {
  if (decl.type === 'Identifier') {
    const fn = c.facts.roots.get(decl.name);
    if (fn) describe('default', fn, decl.name);
    return '';
  }
  let name = decl.id?.name as string | undefined;
  if (!name) {
    name = 'main';
    for (let k = 2; used.has(name); k++) name = `main${k}`;
  }
  describe('default', decl, name);
  let text = c.print(decl);
  if (decl.type === 'FunctionDeclaration' && !decl.id)
    text = text.replace(/^(async )?function\s*(\*?)\s*\(/, `$1function$2 ${name}(`);
  else if (decl.type !== 'FunctionDeclaration') text = `const ${name} = ${text};`;
  return text;
}

/** Whether the script calls k6's `open()` (and does not define its own). */
function opensFiles(program: AstNode, topLevelNames: Set<string>): boolean {
  let found = false;
  walk(program, (n) => {
    if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'open')
      found = true;
  });
  return found && !topLevelNames.has('open');
}

export function convertCode(source: string, scriptUrl: string): ConvertedCode {
  const { program, c } = conversionOf(source);
  const { body, exports } = programText(c, program);
  const { equivalents, stubs, stubTodos } = c.facts;
  const unplaced = c.todos.filter((t) => !t.placed);
  const head: string[] = [
    ...equivalents,
    ...stubs,
    ...unplaced.map((t) => `// TODO(loadproof convert): line ${t.line}: ${t.text}`),
  ];
  if (opensFiles(program, c.analysis.topLevelNames)) head.push(`const open = k6.opener(${scriptUrl});`);
  const code = `${head.length ? `${head.join('\n')}\n` : ''}${body}`
    .replace(/^#![^\n]*\n/, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { code, exports, todos: [...stubTodos, ...c.todos.map((t) => `line ${t.line}: ${t.text}`)] };
}
