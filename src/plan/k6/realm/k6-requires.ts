/**
 * `const http = require('k6/http')` and `const { check } = require('k6')` at a module's top
 * level, written as the imports they are (`import * as http from 'k6/http'`), before the
 * transform reads the module: it knows which calls block by what the module imports from k6.
 * Other require() calls stay calls (realm.ts gives `require`).
 */
import { type AstNode, parseModule } from '../ast.ts';

function importOf(id: AstNode, source: string): string | undefined {
  const from = JSON.stringify(source);
  if (id.type === 'Identifier') return `import * as ${id.name} from ${from};`;
  if (id.type !== 'ObjectPattern') return undefined;
  const names: string[] = [];
  for (const p of id.properties as AstNode[]) {
    if (p.type !== 'Property' || p.computed || p.key.type !== 'Identifier' || p.value.type !== 'Identifier')
      return undefined;
    names.push(p.key.name === p.value.name ? p.key.name : `${p.key.name} as ${p.value.name}`);
  }
  return `import { ${names.join(', ')} } from ${from};`;
}

export function k6RequiresAsImports(source: string): string {
  if (!/\brequire\s*\(\s*['"]k6/.test(source)) return source;
  let program: AstNode;
  try {
    program = parseModule(source);
  } catch {
    return source; // the transform names the syntax error
  }
  let out = '';
  let pos = 0;
  for (const s of program.body as AstNode[]) {
    if (s.type !== 'VariableDeclaration' || s.declarations.length !== 1) continue;
    const d = s.declarations[0] as AstNode;
    const init = d.init;
    if (
      init?.type !== 'CallExpression' ||
      init.callee.type !== 'Identifier' ||
      init.callee.name !== 'require' ||
      init.arguments.length !== 1 ||
      init.arguments[0].type !== 'Literal' ||
      typeof init.arguments[0].value !== 'string' ||
      !/^k6(\/|$)/.test(init.arguments[0].value)
    )
      continue;
    const text = importOf(d.id, init.arguments[0].value);
    if (!text) continue;
    // On the statement's first line; its other lines stay, empty.
    out += source.slice(pos, s.start) + text + source.slice(s.start, s.end).replace(/[^\n]/g, '');
    pos = s.end;
  }
  return out + source.slice(pos);
}
