/** The k6 modules loadproof provides (see k6-api.ts), and why any other import of a k6 script is refused. */
import { builtinModules } from 'node:module';
import { K6_API, REFUSED_MODULES } from './k6-api.ts';

/** Each k6 module loadproof provides → its module, relative to this folder (for the loader hooks). */
export const K6_MODULES: Record<string, string> = Object.fromEntries(
  Object.entries(K6_API).map(([name, m]) => [name, m.runtime]),
);

export function isK6Module(source: string): boolean {
  return source === 'k6' || source.startsWith('k6/');
}

/** Why an import cannot be loaded, or undefined when it can. */
export function unsupportedImport(source: string): string | undefined {
  if (source.startsWith('node:') || builtinModules.includes(source))
    return `"${source}" is a Node.js module: a k6 script runs without Node.js (it imports k6's modules, local files and https:// modules)`;
  if (!isK6Module(source)) return undefined;
  if (K6_MODULES[source]) return undefined;
  const refused = REFUSED_MODULES.find((r) => source.startsWith(r.prefix));
  if (refused) return refused.why(source);
  return `"${source}" is not supported by loadproof (supported: ${Object.keys(K6_MODULES).join(', ')})`;
}
