// Module hooks for k6 scripts (registered by register.ts, after the plan loader's):
// - `k6`, `k6/http`, ... resolve to loadproof's modules, `loadproof:k6/runtime` to the runtime;
// - a URL marked `?k6script` is a k6 script: its source is rewritten (transform.ts) so that its
//   blocking calls are awaited; local modules it imports are marked and rewritten too.
// Synchronous, so that they serve as Node's in-thread hooks (module.registerHooks) and as its
// hooks-thread ones (module.register) alike.
import { existsSync, readFileSync } from 'node:fs';
import { K6_MODULES, unsupportedImport } from './modules.ts';
import { RUNTIME_SPECIFIER, transformScript } from './transform.ts';

const MARK = 'k6script';

function marked(url) {
  const q = url.indexOf('?');
  return q >= 0 && new URLSearchParams(url.slice(q + 1)).has(MARK);
}

const withoutQuery = (url) => url.replace(/\?.*$/, '');

export function resolve(specifier, context, nextResolve) {
  if (specifier === RUNTIME_SPECIFIER)
    return { url: new URL('./runtime.ts', import.meta.url).href, shortCircuit: true, format: 'module' };
  const shim = K6_MODULES[specifier];
  if (shim) return { url: new URL(shim, import.meta.url).href, shortCircuit: true, format: 'module' };
  // The script itself, as index.ts names it (TypeScript resolution would take a .ts beside it).
  if (specifier.startsWith('file:') && marked(specifier))
    return { url: specifier, shortCircuit: true, format: 'module' };
  if (context.parentURL && marked(context.parentURL)) {
    const why = unsupportedImport(specifier);
    if (why) throw new Error(`${withoutQuery(context.parentURL)}: ${why}`);
    // A local .js module is the file it names, rewritten as the script is.
    if (/^(\.\.?\/|\/)/.test(specifier) && /\.m?js$/.test(specifier)) {
      const url = new URL(specifier, withoutQuery(context.parentURL));
      if (existsSync(url)) return { url: `${url.href}?${MARK}`, shortCircuit: true, format: 'module' };
    }
  }
  return nextResolve(specifier, context);
}

export function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !marked(url)) return nextLoad(url, context);
  const file = new URL(withoutQuery(url));
  const source = readFileSync(file, 'utf8');
  const result = transformScript(source);
  if (result.issues.length) {
    const where = file.pathname;
    throw new Error(
      result.issues.map((i) => `${where}${i.line ? `:${i.line}` : ''}: ${i.message}`).join('\n'),
    );
  }
  return { format: 'module', source: result.code, shortCircuit: true };
}
