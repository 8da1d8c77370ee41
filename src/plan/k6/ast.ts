/**
 * The parsed form of a k6 script: acorn's ESTree nodes, read loosely (the transform looks at a
 * few node types only), and a walk that gives each node its ancestors.
 */
import { parse } from 'acorn';

export interface AstNode {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number; column: number } };
  // ESTree fields differ per node type.
  [field: string]: any;
}

/** A problem in a script, at a line when known. */
export interface ScriptIssue {
  line?: number;
  message: string;
}

export class ScriptSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number | undefined,
  ) {
    super(message);
  }
}

export function parseModule(source: string): AstNode {
  try {
    return parse(source, {
      ecmaVersion: 'latest',
      sourceType: 'module',
      locations: true,
      allowHashBang: true,
    }) as unknown as AstNode;
  } catch (e) {
    const err = e as Error & { loc?: { line: number } };
    throw new ScriptSyntaxError(err.message, err.loc?.line);
  }
}

export function isNode(v: unknown): v is AstNode {
  return typeof v === 'object' && v !== null && typeof (v as AstNode).type === 'string';
}

export function isFunction(n: AstNode): boolean {
  return (
    n.type === 'FunctionDeclaration' ||
    n.type === 'FunctionExpression' ||
    n.type === 'ArrowFunctionExpression'
  );
}

/** Visits every node, outermost first, with its ancestors (nearest last). */
export function walk(root: AstNode, visit: (node: AstNode, ancestors: readonly AstNode[]) => void): void {
  const ancestors: AstNode[] = [];
  const go = (node: AstNode) => {
    visit(node, ancestors);
    ancestors.push(node);
    for (const key of Object.keys(node)) {
      if (key === 'loc' || key === 'type' || key === 'start' || key === 'end') continue;
      const v = node[key];
      if (Array.isArray(v)) {
        for (const item of v) if (isNode(item)) go(item);
      } else if (isNode(v)) go(v);
    }
    ancestors.pop();
  };
  go(root);
}

export function lineOf(n: AstNode): number | undefined {
  return n.loc?.start.line;
}

/** A non-computed property name, or a string literal key. */
export function propertyName(key: AstNode | undefined, computed: boolean): string | undefined {
  if (!key) return undefined;
  if (!computed && key.type === 'Identifier') return key.name;
  if (key.type === 'Literal' && typeof key.value === 'string') return key.value;
  return undefined;
}
