/**
 * Whether a JavaScript plan file is a k6 script: it imports `k6` or a `k6/...` module, or it
 * looks like one without importing anything of k6's (`export default function`, `export const
 * options`) and is no loadproof plan (no `definePlan`, no import of `loadproof`).
 */

import { readInputFile } from '../input-file.ts';
import { type AstNode, parseModule } from './ast.ts';
import { isK6Module } from './modules.ts';
import { importsOf } from './transform.ts';

export function isK6Script(file: string): boolean {
  return looksLikeK6(readInputFile(file, 'script').toString('utf8'));
}

export function looksLikeK6(source: string): boolean {
  let program: AstNode;
  try {
    program = parseModule(source);
  } catch {
    return false;
  }
  const imports = importsOf(source);
  if (imports.some((i) => isK6Module(i.source))) return true;
  if (
    /\bdefinePlan\b/.test(source) ||
    imports.some((i) => i.source === 'loadproof' || i.source.startsWith('loadproof/'))
  )
    return false;
  return exportsOptions(program) || exportsDefaultFunction(program);
}

function exportsOptions(program: AstNode): boolean {
  for (const s of program.body as AstNode[]) {
    if (s.type !== 'ExportNamedDeclaration') continue;
    if (s.declaration?.type === 'VariableDeclaration')
      for (const d of s.declaration.declarations)
        if (d.id.type === 'Identifier' && d.id.name === 'options') return true;
    for (const sp of s.specifiers ?? []) if (sp.exported?.name === 'options') return true;
  }
  return false;
}

const isFunctionNode = (n: AstNode | undefined) =>
  n?.type === 'FunctionDeclaration' ||
  n?.type === 'FunctionExpression' ||
  n?.type === 'ArrowFunctionExpression';

/** The default export is a function, or a name bound to something that is not a plan object. */
function exportsDefaultFunction(program: AstNode): boolean {
  const body = program.body as AstNode[];
  const initOf = (name: string): AstNode | 'function' | undefined => {
    for (const s of body) {
      const d = s.type === 'ExportNamedDeclaration' ? s.declaration : s;
      if (d?.type === 'FunctionDeclaration' && d.id?.name === name) return 'function';
      if (d?.type === 'VariableDeclaration')
        for (const v of d.declarations)
          if (v.id.type === 'Identifier' && v.id.name === name) return v.init ?? undefined;
    }
    return undefined;
  };
  const notAPlan = (name: string) => {
    const init = initOf(name);
    return init === 'function' || (init !== undefined && init.type !== 'ObjectExpression');
  };
  for (const s of body) {
    if (s.type === 'ExportDefaultDeclaration') {
      if (isFunctionNode(s.declaration)) return true;
      if (s.declaration.type === 'Identifier') return notAPlan(s.declaration.name);
    }
    if (s.type === 'ExportNamedDeclaration' && !s.source)
      for (const sp of s.specifiers ?? [])
        if (sp.exported?.name === 'default' && sp.local.type === 'Identifier') return notAPlan(sp.local.name);
  }
  return false;
}
