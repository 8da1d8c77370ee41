// Module resolution hook for plan files.
// - `import ... from 'loadproof'` (and its subpaths, `loadproof/checks`...) resolves to this
//   loadproof, wherever the plan lives and whether or not loadproof is installed beside it.
// - A TypeScript plan outside any "type": "module" package is still an ES module: plans are
//   written with import/export, and top-level await must work.
const SELF = new URL('../index.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'loadproof') return { url: SELF, shortCircuit: true, format: 'module' };
  // A subpath resolves as if imported from inside this package: through its package.json "exports".
  if (specifier.startsWith('loadproof/')) return nextResolve(specifier, { ...context, parentURL: SELF });
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
