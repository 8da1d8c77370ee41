/**
 * A TypeScript plan module from a plan as data: what loadPlanFile imports, the way a user's plan
 * file is. `{ $fn: 'flow' }` becomes a flow that sends one GET to the target; other `$fn` roles
 * a function that returns nothing. NaN, Infinity, -0, undefined and a `__proto__` key are
 * written as themselves.
 */
const FUNCTIONS: Record<string, string> = {
  flow: "async (vu) => { await vu.http.get('/hello'); }",
  setup: 'async () => ({ ready: true })',
  check: '() => undefined',
};

function literal(v: unknown, indent: string): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) return `[${v.map((x) => `\n${inner}${literal(x, inner)},`).join('')}\n${indent}]`;
  const entries = Object.entries(v);
  if (entries.length === 1 && entries[0]?.[0] === '$fn' && typeof entries[0][1] === 'string')
    return FUNCTIONS[entries[0][1]] ?? FUNCTIONS.check;
  const key = (k: string) => (k === '__proto__' ? `[${JSON.stringify(k)}]` : JSON.stringify(k));
  return `{${entries.map(([k, x]) => `\n${inner}${key(k)}: ${literal(x, inner)},`).join('')}\n${indent}}`;
}

export function printPlan(plan: unknown): string {
  return `import { definePlan } from 'loadproof';\n\nexport default definePlan(${literal(plan, '')});\n`;
}
