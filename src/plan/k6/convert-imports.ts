/**
 * What each import of a k6 script becomes in a converted plan, as k6-api.ts describes it: a name
 * the code rewrite knows (k6's check, sleep, group and fail; k6/http; a metric class; k6/execution),
 * a line binding it to the `k6` namespace (`const SharedArray = k6.SharedArray;`), or a stub that
 * fails when used, with a TODO naming the line.
 */
import { type AstNode, propertyName } from './ast.ts';
import { type ConvertedAs, exportOf, K6_API } from './k6-api.ts';

/** A string literal in single quotes (double when it holds one), as the rest of a plan writes them. */
export function quote(s: string): string {
  if (s.includes("'") && !s.includes('"')) return JSON.stringify(s);
  return `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

const isLocalModule = (s: string) => s.startsWith('./') || s.startsWith('../') || s.startsWith('/');

/** A name the plan cannot give: a stub that fails when used, and its TODO. */
export interface Stub {
  /** The plan's lines: the TODO comment and the stub. */
  lines: string[];
  /** `line N: what why`. */
  todo: string;
}

export function stubOf(local: string, what: string, why: string, node: AstNode): Stub {
  return {
    lines: [
      `// TODO(loadproof convert): line ${node.loc?.start.line}: ${what} ${why}; any use of ${local} fails until it is rewritten.`,
      `const ${local}: any = k6.unsupported(${quote(what)});`,
    ],
    todo: `line ${node.loc?.start.line}: ${what} ${why}`,
  };
}

export interface ImportFacts {
  /** Local name → k6's export the code rewrite writes (check, sleep, group, fail). */
  k6Names: Map<string, string>;
  /** Local names of k6/http imported whole. */
  httpNamespaces: Set<string>;
  /** Local name → k6/http's export (requests, expectedStatuses). */
  httpNamed: Map<string, string>;
  /** Local name → the metric kind of a k6/metrics class. */
  metricCtors: Map<string, string>;
  /** Lines binding names to the `k6` namespace. */
  equivalents: string[];
  /** k6/execution imported whole: its stub is decided once it is known where its fields are used. */
  execution: { local: string; stmt: AstNode }[];
  stubs: Stub[];
}

function converted(from: string, imported: string): ConvertedAs | undefined {
  return exportOf(from, imported)?.convert;
}

export function importFacts(program: AstNode): ImportFacts {
  const facts: ImportFacts = {
    k6Names: new Map(),
    httpNamespaces: new Set(),
    httpNamed: new Map(),
    metricCtors: new Map(),
    equivalents: [],
    execution: [],
    stubs: [],
  };
  for (const stmt of program.body as AstNode[]) {
    if (stmt.type !== 'ImportDeclaration') continue;
    const from = String(stmt.source.value);
    for (const s of stmt.specifiers as AstNode[]) {
      const local = s.local.name as string;
      const imported = s.type === 'ImportSpecifier' ? (propertyName(s.imported, false) ?? '') : '*';
      importOne(facts, stmt, from, local, imported);
    }
  }
  return facts;
}

function importOne(facts: ImportFacts, stmt: AstNode, from: string, local: string, imported: string): void {
  const as = converted(from, imported);
  const whole = Object.hasOwn(K6_API, from) ? K6_API[from]?.convertedWhole : undefined;
  if (from === 'k6' && as && ('to' in as || 'check' in as)) facts.k6Names.set(local, imported);
  else if (from === 'k6/http' && imported === '*') facts.httpNamespaces.add(local);
  else if (
    from === 'k6/http' &&
    as &&
    ('request' in as || 'batch' in as || ('to' in as && !as.namespaceOnly))
  )
    facts.httpNamed.set(local, imported);
  else if (as && 'metric' in as) facts.metricCtors.set(local, as.metric);
  else if (whole && imported !== '*' && imported !== 'default')
    facts.equivalents.push(`const ${local} = ${whole}.${imported};`);
  else if (whole) facts.equivalents.push(`const ${local}: any = ${whole};`);
  else if (as && 'alias' in as) facts.equivalents.push(`const ${local} = ${as.alias};`);
  else if (isLocalModule(from))
    facts.stubs.push(
      stubOf(
        local,
        `${imported === '*' ? 'the module' : imported} from '${from}'`,
        'is a module of the k6 script: convert it too and import the result',
        stmt,
      ),
    );
  else if (from === 'k6/execution' && imported === '*') facts.execution.push({ local, stmt });
  else
    facts.stubs.push(
      stubOf(
        local,
        `${imported === '*' ? from : `${imported} from '${from}'`}`,
        'has no loadproof equivalent',
        stmt,
      ),
    );
}
