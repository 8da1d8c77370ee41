/**
 * Where an import of a k6 script leads, as k6 resolves it: `k6` and `k6/...` to loadproof's
 * modules (`k6:` URLs), `./`, `../` and `/` to files beside the importing module (or on its
 * server, for a remote one), `https://` and `http://` to remote modules. Node's modules and any
 * other bare name are refused, as k6 refuses modules it does not know.
 */
import { unsupportedImport } from '../modules.ts';

export function resolveSpecifier(specifier: string, parentUrl: string): string {
  const why = unsupportedImport(specifier);
  if (why) throw new Error(why);
  if (specifier === 'k6' || specifier.startsWith('k6/')) return `k6:${specifier}`;
  if (/^(https?|file):/.test(specifier)) return new URL(specifier).href;
  if (/^(\.\.?\/|\/)/.test(specifier)) return new URL(specifier, parentUrl).href;
  throw new Error(`"${specifier}" is not a k6 module, a local file (./, ../, /) or an https:// URL`);
}
