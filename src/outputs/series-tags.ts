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

/** How fine a series is: the run, a scenario or check, an endpoint. */
const depth = (t: SeriesTags) => ('name' in t ? 2 : Object.keys(t).length ? 1 : 0);

/**
 * The finest series of a metric, and only those, with their tags: every sample is in exactly one
 * of them, so an exporter's sum never counts a sample twice. Threshold filter series are left
 * out (their samples are in the others).
 */
export function finestSeries<V>(series: Map<string, V>): [SeriesTags, V][] {
  const tagged: [SeriesTags, V][] = [];
  for (const [key, v] of series) {
    const tags = key.startsWith('{') ? undefined : seriesTags(key);
    if (tags) tagged.push([tags, v]);
  }
  const deepest = Math.max(0, ...tagged.map(([t]) => depth(t)));
  return tagged.filter(([t]) => depth(t) === deepest);
}

/**
 * Requests by status (or, for those without an answer, by error code) at the finest level of
 * their series, the `status` tag added: what every exporter reports as `http_reqs`.
 */
export function requestsByStatus(store: {
  statuses: Map<string, Map<string, number>>;
  errors: Map<string, Map<string, number>>;
}): { tags: SeriesTags; value: number }[] {
  const out: { tags: SeriesTags; value: number }[] = [];
  for (const byStatus of [store.statuses, store.errors])
    for (const [tags, counts] of finestSeries(byStatus))
      for (const [status, n] of counts) out.push({ tags: { ...tags, status }, value: n });
  return out;
}
