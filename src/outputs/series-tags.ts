/**
 * The tags a series key stands for, for outputs that name series by tags (Prometheus labels,
 * NDJSON and CSV lines): '' is the whole run; `scenario=S` a scenario; `scenario=S|GET /x` an
 * endpoint (scenario, method, name); `check=C` one flow check; `{tag:value,...}` a threshold's
 * tag filter. Undefined for a key of no known shape.
 */
export type SeriesTags = Record<string, string>;

export function seriesTags(key: string): SeriesTags | undefined {
  if (key === '') return {};
  if (key.startsWith('check=')) return { check: key.slice('check='.length) };
  if (key.startsWith('scenario=')) {
    const bar = key.indexOf('|');
    if (bar < 0) return { scenario: key.slice('scenario='.length) };
    const endpoint = key.slice(bar + 1);
    const space = endpoint.indexOf(' ');
    return {
      scenario: key.slice('scenario='.length, bar),
      method: endpoint.slice(0, space),
      name: endpoint.slice(space + 1),
    };
  }
  if (key.startsWith('{') && key.endsWith('}')) {
    const tags: SeriesTags = {};
    for (const pair of key.slice(1, -1).split(',')) {
      const colon = pair.indexOf(':');
      if (colon <= 0) return undefined;
      tags[pair.slice(0, colon)] = pair.slice(colon + 1);
    }
    return tags;
  }
  return undefined;
}
