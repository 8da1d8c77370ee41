/** The k6 modules loadproof provides, and why any other import of a k6 script is refused. */
export const K6_MODULES: Record<string, string> = {
  k6: './modules/k6.ts',
  'k6/http': './modules/http.ts',
  'k6/metrics': './modules/metrics.ts',
  'k6/data': './modules/data.ts',
  'k6/execution': './modules/execution.ts',
  'k6/encoding': './modules/encoding.ts',
  'k6/crypto': './modules/crypto.ts',
};

export function isK6Module(source: string): boolean {
  return source === 'k6' || source.startsWith('k6/');
}

/** Why an import cannot be loaded, or undefined when it can. */
export function unsupportedImport(source: string): string | undefined {
  if (/^https?:\/\//.test(source))
    return `remote modules are not supported: import "${source}" (download it beside the script and import it by path)`;
  if (!isK6Module(source)) return undefined;
  if (K6_MODULES[source]) return undefined;
  if (source.startsWith('k6/x/')) return `"${source}" is an xk6 extension: not supported by loadproof`;
  return `"${source}" is not supported by loadproof (supported: ${Object.keys(K6_MODULES).join(', ')})`;
}
