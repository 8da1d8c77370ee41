/**
 * Series keys. '' is the whole run; `scenario=NAME` one scenario; `scenario=NAME|METHOD name`
 * one endpoint of it. Threshold filters get keys of their own (see verdict/submetrics.ts).
 */
export function scenarioKey(scenario: string): string {
  return `scenario=${scenario}`;
}

export function endpointKey(scenario: string, method: string, name: string): string {
  return `scenario=${scenario}|${method} ${name}`;
}

/** Splits an endpoint key back into scenario and `METHOD name`, or undefined for other keys. */
export function parseEndpointKey(key: string): { scenario: string; endpoint: string } | undefined {
  if (!key.startsWith('scenario=')) return undefined;
  const bar = key.indexOf('|');
  if (bar < 0) return undefined;
  return { scenario: key.slice('scenario='.length, bar), endpoint: key.slice(bar + 1) };
}
