/**
 * Rewrites a k6 script so that it runs on loadproof's event loop (see analysis.ts for the
 * model): blocking functions become `async`, blocking calls are awaited, array methods with a
 * blocking callback run element by element through the runtime. Every edit is an insertion or
 * a replacement on one line, so line numbers in errors stay the script's own.
 */
import { type Analysis, analyze } from './analysis.ts';
import {
  type AstNode,
  isFunction,
  isNode,
  parseModule,
  propertyName,
  type ScriptIssue,
  ScriptSyntaxError,
  walk,
} from './ast.ts';

/** The module the rewritten script imports its helpers from (resolved by the k6 loader hooks). */
export const RUNTIME_SPECIFIER = 'loadproof:k6/runtime';
export const RUNTIME_NAME = '__loadproofK6';

interface Edit {
  at: number;
  /** Characters replaced from `at` (0 for an insertion). */
  length: number;
  text: string;
  /** Among edits at one place: closings before openings, outer openings first, inner closings first. */
  order: number;
}

export interface TransformResult {
  code: string;
  issues: ScriptIssue[];
}

function depthOf(node: AstNode, depths: Map<AstNode, number>): number {
  return depths.get(node) ?? 0;
}

function apply(source: string, edits: Edit[]): string {
  edits.sort((a, b) => a.at - b.at || a.order - b.order);
  let out = '';
  let pos = 0;
  for (const e of edits) {
    out += source.slice(pos, e.at) + e.text;
    pos = Math.max(pos, e.at + e.length);
  }
  return out + source.slice(pos);
}

/** Where `async` goes: before `function`, before a method's name, before an arrow's parameters. */
function asyncPosition(fn: AstNode, parent: AstNode | undefined): number {
  if (parent && (parent.type === 'Property' || parent.type === 'MethodDefinition') && parent.value === fn) {
    if (parent.method || parent.type === 'MethodDefinition')
      return parent.computed ? parent.start : parent.key.start;
  }
  return fn.start;
}

/** `prelude: false`: no import of the runtime and no `open` (the realm gives both, see realm/esm-to-script.ts). */
export function transformScript(source: string, options: { prelude?: boolean } = {}): TransformResult {
  let program: AstNode;
  try {
    program = parseModule(source);
  } catch (e) {
    if (e instanceof ScriptSyntaxError)
      return { code: source, issues: [{ line: e.line, message: e.message }] };
    throw e;
  }
  const analysis: Analysis = analyze(program);
  if (analysis.issues.length) return { code: source, issues: analysis.issues };

  const depths = new Map<AstNode, number>();
  const parents = new Map<AstNode, AstNode | undefined>();
  walk(program, (node, ancestors) => {
    depths.set(node, ancestors.length);
    parents.set(node, ancestors[ancestors.length - 1]);
  });
  const edits: Edit[] = [];
  for (const fn of analysis.madeAsync) {
    const at = asyncPosition(fn, parents.get(fn));
    edits.push({ at, length: 0, text: 'async ', order: 1000 + depthOf(fn, depths) });
  }
  // `await x` → `back(here(), await x)`: here() runs before the wait, back() after it, so the
  // code that follows runs as its own VU again (see context.ts).
  const resume = `${RUNTIME_NAME}.back(${RUNTIME_NAME}.here(), `;
  const resumeOpen = `${resume}await `;
  walk(program, (node) => {
    if (node.type !== 'AwaitExpression') return;
    const depth = depthOf(node, depths);
    edits.push({ at: node.start, length: 0, text: resume, order: 1000 + depth });
    edits.push({ at: node.end, length: 0, text: ')', order: -depth });
  });
  for (const [call, how] of analysis.awaited) {
    const parent = parents.get(call);
    if (parent?.type === 'AwaitExpression') continue;
    // `a?.b()` is awaited whole: parentheses inside an optional chain would cut it.
    const target = parent?.type === 'ChainExpression' ? parent : call;
    const depth = depthOf(target, depths);
    if (how.sequential) {
      const callee = call.callee as AstNode;
      const open = source.indexOf('(', callee.end);
      edits.push({
        at: target.start,
        length: 0,
        text: `${resumeOpen}${RUNTIME_NAME}.sequential(`,
        order: 1000 + depth,
      });
      edits.push({
        at: callee.object.end,
        length: open + 1 - callee.object.end,
        text: `, ${JSON.stringify(how.sequential.method)}, `,
        order: 500,
      });
    } else {
      edits.push({ at: target.start, length: 0, text: resumeOpen, order: 1000 + depth });
    }
    edits.push({ at: target.end, length: 0, text: ')', order: -depth });
  }
  edits.push(...resumeAfterThrow(program, analysis));
  if (options.prelude !== false) {
    const hashBang = source.startsWith('#!') ? source.indexOf('\n') + 1 : 0;
    edits.push({ at: hashBang, length: 0, text: preludeOf(analysis.topLevelNames), order: -1e6 });
  }
  return { code: apply(source, edits), issues: [] };
}

/**
 * A rejected `await` skips its `back(...)`: the catch or finally block that runs next would run
 * as whichever VU ran last. Each async function notes its VU when it starts (`const __lpVu =
 * here()`, a VU's call runs as that VU throughout) and its catch and finally blocks set it back.
 */
function resumeAfterThrow(program: AstNode, analysis: Analysis): Edit[] {
  const edits: Edit[] = [];
  const noted = new Set<AstNode>();
  walk(program, (node, ancestors) => {
    const blocks: AstNode[] = [];
    if (node.type === 'CatchClause') blocks.push(node.body);
    if (node.type === 'TryStatement' && node.finalizer) blocks.push(node.finalizer);
    if (!blocks.length) return;
    let fn: AstNode | undefined;
    for (let i = ancestors.length - 1; i >= 0 && !fn; i--)
      if (isFunction(ancestors[i] as AstNode)) fn = ancestors[i];
    if (fn?.body.type !== 'BlockStatement' || !(fn.async || analysis.madeAsync.has(fn))) return;
    if (!noted.has(fn)) {
      noted.add(fn);
      edits.push({
        at: fn.body.start + 1,
        length: 0,
        text: `const ${VU_NOTE} = ${RUNTIME_NAME}.here();`,
        order: -1e5,
      });
    }
    for (const b of blocks)
      edits.push({ at: b.start + 1, length: 0, text: `${RUNTIME_NAME}.back(${VU_NOTE});`, order: -1e5 });
  });
  return edits;
}

const VU_NOTE = '__lpVu';

/** One line's worth of helpers, put before the script's first line (lines stay where they were). */
function preludeOf(topLevel: Set<string>): string {
  let out = `import * as ${RUNTIME_NAME} from ${JSON.stringify(RUNTIME_SPECIFIER)};`;
  if (!topLevel.has('open')) out += `const open = ${RUNTIME_NAME}.opener(import.meta.url);`;
  return out;
}

/** The import sources of a script, with their lines (for detection and unsupported modules). */
export function importsOf(source: string): { source: string; line?: number }[] {
  const program = parseModule(source);
  const out: { source: string; line?: number }[] = [];
  for (const stmt of program.body as AstNode[]) {
    if (
      (stmt.type === 'ImportDeclaration' ||
        stmt.type === 'ExportAllDeclaration' ||
        stmt.type === 'ExportNamedDeclaration') &&
      isNode(stmt.source)
    )
      out.push({ source: String(stmt.source.value), line: stmt.loc?.start.line });
  }
  walk(program, (n) => {
    if (n.type === 'ImportExpression' && n.source.type === 'Literal')
      out.push({ source: String(n.source.value), line: n.loc?.start.line });
  });
  return out;
}

/** The object literal `export const options = {...}` is bound to, to point issues at lines. */
export function optionsLiteral(source: string): AstNode | undefined {
  const program = parseModule(source);
  for (const stmt of program.body as AstNode[]) {
    const decl = stmt.type === 'ExportNamedDeclaration' ? stmt.declaration : stmt;
    if (decl?.type !== 'VariableDeclaration') continue;
    for (const d of decl.declarations as AstNode[])
      if (d.id.type === 'Identifier' && d.id.name === 'options' && d.init?.type === 'ObjectExpression')
        return d.init;
  }
  return undefined;
}

/** The line of `options.a.b` in the literal, or of the nearest key found on the way. */
export function lineOfOption(literal: AstNode | undefined, path: readonly string[]): number | undefined {
  let node = literal;
  let line = literal?.loc?.start.line;
  for (const key of path) {
    if (node?.type !== 'ObjectExpression') break;
    const prop = (node.properties as AstNode[]).find(
      (p) => p.type === 'Property' && propertyName(p.key, p.computed) === key,
    );
    if (!prop) break;
    line = prop.loc?.start.line;
    node = prop.value;
  }
  return line;
}
