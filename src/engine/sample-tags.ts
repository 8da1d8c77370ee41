/**
 * Threshold tag filters as submetrics: a threshold on `http_req_duration{method:POST}` makes
 * every matching sample also land in the series `{method:POST}` of that metric. A filter on
 * the scenario alone maps to the scenario's own series, which is always kept.
 */
import { filterKey, parseMetricKey, scenarioKey } from '../metrics/keys.ts';

export type Tags = Record<string, string | undefined>;

const NONE: string[] = [];

interface Submetric {
  key: string;
  filters: [string, string][];
}

export class Submetrics {
  private readonly byMetric = new Map<string, Submetric[]>();

  constructor(thresholdKeys: readonly string[]) {
    for (const source of new Set(thresholdKeys)) {
      const { metric, filters } = parseMetricKey(source);
      if (filters.length === 0 || (filters.length === 1 && filters[0]?.[0] === 'scenario')) continue;
      const list = this.byMetric.get(metric) ?? [];
      const key = filterKey(filters);
      if (!list.some((s) => s.key === key)) list.push({ key, filters });
      this.byMetric.set(metric, list);
    }
  }

  /** True when some threshold filters on tags (so samples need their tags). */
  get any(): boolean {
    return this.byMetric.size > 0;
  }

  /** The filter series of `metric` that a sample with these tags lands in (often none). */
  matching(metric: string, tags: Tags): string[] {
    const subs = this.byMetric.get(metric);
    if (!subs) return NONE;
    const out: string[] = [];
    for (const s of subs) if (s.filters.every(([k, v]) => tags[k] === v)) out.push(s.key);
    return out;
  }

  /** Series keys a sample of `metric` lands in: the run, its scenario, and every matching filter. */
  keys(metric: string, scenario: string, tags: () => Tags, extra?: string): string[] {
    const keys = extra ? ['', scenarioKey(scenario), extra] : ['', scenarioKey(scenario)];
    const subs = this.byMetric.get(metric);
    if (subs) {
      const t = tags();
      for (const s of subs) if (s.filters.every(([k, v]) => t[k] === v)) keys.push(s.key);
    }
    return keys;
  }
}
