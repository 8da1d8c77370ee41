/**
 * The printer of `loadproof convert`'s code rewrite: the script's text node by node, each node
 * either rewritten (convert-rewrite.ts) or copied with its children printed, plus the edits of
 * function signatures (async, the VU parameter, parameters typed `any`), the awaits the blocking
 * model asks for (analysis.ts), and each TODO as a comment above the statement it concerns.
 */
import type { Analysis } from './analysis.ts';
import { type AstNode, isFunction, isNode } from './ast.ts';
import type { ScriptFacts } from './convert-facts.ts';

export interface Todo {
  line: number;
  text: string;
  /** Written as a comment above its statement (else at the plan's head). */
  placed: boolean;
}

/** What the rewrite rules are given: the script, what is known of it, and the printer. */
export interface Conversion {
  source: string;
  analysis: Analysis;
  facts: ScriptFacts;
  parents: Map<AstNode, AstNode | undefined>;
  todos: Todo[];
  /** A TODO at the node's line (once per line and text). */
  todo(node: AstNode, text: string): void;
  /** The indentation of the line `at` is on. */
  indentOf(at: number): string;
  /** A node as the plan writes it. */
  print(n: AstNode): string;
  /** The script's text from `from` to `to`, with the signature edits inserted in it. */
  raw(from: number, to: number): string;
}

/** Text put before or after nodes, or inserted at places, by the signature edits. */
export interface Edits {
  prefix: Map<AstNode, string>;
  suffix: Map<AstNode, string>;
  inserts: Map<number, string>;
}

/**
 * Signatures as the plan writes them: `async` where the blocking model makes a function async,
 * `vu: Vu` first where a named function uses the VU, every parameter (and catch binding) `any`.
 */
export function signatureEdits(c: Pick<Conversion, 'source' | 'analysis' | 'facts' | 'parents'>): Edits {
  const { source, analysis, parents } = c;
  const { vuRoots, named } = c.facts;
  const edits: Edits = { prefix: new Map(), suffix: new Map(), inserts: new Map() };
  const add = (m: Map<AstNode, string>, n: AstNode, text: string, before = false) =>
    m.set(n, before ? text + (m.get(n) ?? '') : (m.get(n) ?? '') + text);
  const { prefix, suffix, inserts } = edits;
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
  return edits;
}

/** Where `await x` needs no parentheses. */
function bareAwait(n: AstNode, parent: AstNode | undefined): boolean {
  return (
    parent?.type === 'ExpressionStatement' ||
    (parent?.type === 'VariableDeclarator' && parent.init === n) ||
    parent?.type === 'ReturnStatement' ||
    (parent?.type === 'ArrowFunctionExpression' && parent.body === n) ||
    (parent?.type === 'AssignmentExpression' && parent.right === n) ||
    (parent?.type === 'Property' && parent.value === n) ||
    ((parent?.type === 'CallExpression' || parent?.type === 'NewExpression') &&
      parent.arguments.includes(n)) ||
    (parent?.type === 'ArrayExpression' && parent.elements.includes(n))
  );
}

function childrenOf(n: AstNode): AstNode[] {
  const out: AstNode[] = [];
  for (const k of Object.keys(n)) {
    if (k === 'loc') continue;
    const v = n[k];
    if (Array.isArray(v)) for (const x of v) if (isNode(x)) out.push(x);
    if (isNode(v)) out.push(v);
  }
  return out.sort((a, b) => a.start - b.start);
}

/** `raw` and `print` over the script with these edits; `rewrite` gives a node's own text, or undefined to copy it. */
export function printerOf(
  c: Pick<Conversion, 'source' | 'analysis' | 'parents' | 'todos' | 'indentOf'>,
  edits: Edits,
  rewrite: (n: AstNode) => string | undefined,
): Pick<Conversion, 'print' | 'raw'> {
  const { source, analysis, parents, todos } = c;
  const raw = (from: number, to: number) => {
    let out = '';
    let pos = from;
    for (const [at, text] of [...edits.inserts]
      .filter(([at]) => at >= from && at < to)
      .sort((a, b) => a[0] - b[0])) {
      out += source.slice(pos, at) + text;
      pos = at;
    }
    return out + source.slice(pos, to);
  };
  const generic = (n: AstNode): string => {
    let out = '';
    let pos = n.start;
    for (const child of childrenOf(n)) {
      if (child.start < pos) continue; // a shorthand property's key and value share their place
      out += raw(pos, child.start) + print(child);
      pos = child.end;
    }
    return out + raw(pos, n.end);
  };
  const print = (n: AstNode): string => {
    const before = todos.length;
    let out = (edits.prefix.get(n) ?? '') + (rewrite(n) ?? generic(n)) + (edits.suffix.get(n) ?? '');
    const parent = parents.get(n);
    if (n.type === 'CallExpression' && analysis.awaited.has(n) && parent?.type !== 'AwaitExpression')
      out = bareAwait(n, parent) ? `await ${out}` : `(await ${out})`;
    const statement =
      parent?.type === 'BlockStatement' ||
      parent?.type === 'Program' ||
      (parent?.type === 'SwitchCase' && parent.test !== n);
    const mine = statement ? todos.slice(before).filter((t) => !t.placed) : [];
    if (mine.length) {
      const indent = c.indentOf(n.start);
      for (const t of mine) t.placed = true;
      out =
        mine.map((t) => `// TODO(loadproof convert): line ${t.line}: ${t.text}\n${indent}`).join('') + out;
    }
    return out;
  };
  return { print, raw };
}
