// Module resolution hook for plan files.
// - `import ... from 'loadproof'` resolves to this loadproof, wherever the plan lives and
//   whether or not loadproof is installed beside it.
// - A TypeScript plan outside any "type": "module" package is still an ES module: plans are
//   written with import/export, and top-level await must work.
const SELF = new URL('../index.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'loadproof') return { url: SELF, shortCircuit: true, format: 'module' };
  const resolved = await nextResolve(specifier, context);
  if (
    /\.(ts|mts)(\?|$)/.test(resolved.url) &&
    !resolved.url.includes('/node_modules/') &&
    resolved.format !== 'module'
  ) {
    return { ...resolved, format: 'module' };
  }
  return resolved;
}
