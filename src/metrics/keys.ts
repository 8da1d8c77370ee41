/**
 * Series keys. '' is the whole run; `scenario=NAME` one scenario; `scenario=NAME|METHOD name`
 * one endpoint of it. Threshold filters get keys of their own, `{tag:value,...}` (see
 * engine/sample-tags.ts), from the metric-key grammar:
 *
 *   metric-key  := name ["{" filter ("," filter)* "}"]
 *   filter      := tag ":" value                          (whitespace around parts is ignored)
 */
import { ThresholdSyntaxError } from '../errors.ts';

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

export interface ParsedMetricKey {
  source: string;
  metric: string;
  /** Tag filters, sorted by tag name. */
  filters: [string, string][];
}

const KEY = /^\s*([A-Za-z_][A-Za-z0-9_.:-]*)\s*(?:\{(.*)\})?\s*$/;

export function parseMetricKey(source: string): ParsedMetricKey {
  const m = KEY.exec(source);
  if (!m) throw new ThresholdSyntaxError(`malformed metric "${source}": expected name or name{tag:value}`);
  const metric = m[1] as string;
  const filters: [string, string][] = [];
  if (m[2] !== undefined) {
    for (const part of m[2].split(',')) {
      const colon = part.indexOf(':');
      const tag = part.slice(0, colon).trim();
      const value = part.slice(colon + 1).trim();
      if (colon < 0 || tag === '' || value === '') {
        throw new ThresholdSyntaxError(
          `malformed tag filter "${part.trim()}" in "${source}": expected tag:value`,
        );
      }
      filters.push([tag, value]);
    }
    if (filters.length === 0) throw new ThresholdSyntaxError(`empty tag filter in "${source}"`);
  }
  filters.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { source, metric, filters };
}

/** Canonical series key of a filter set: `{method:POST,scenario:x}`; '' without filters. */
export function filterKey(filters: readonly [string, string][]): string {
  return filters.length ? `{${filters.map(([t, v]) => `${t}:${v}`).join(',')}}` : '';
}
