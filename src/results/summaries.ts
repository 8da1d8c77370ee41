/**
 * The parts of results.json read from merged metrics: summaries of trends, counters, rates and
 * gauges, request counts, endpoints, groups, flow checks and the encoded histograms. Pure.
 */
import { encodeHistogram, type Histogram, histogramStats, percentileMs } from '../metrics/histogram.ts';
import { parseEndpointKey } from '../metrics/keys.ts';
import { BOOKKEEPING_GAUGES } from '../metrics/names.ts';
import type { MetricStore } from '../metrics/store.ts';
import type {
  EndpointResult,
  MetricSummary,
  RequestCounts,
  ResultsFile,
  ScenarioResult,
  TrendSummary,
} from './types.ts';

export const round = (x: number, digits = 3) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export function trendSummary(store: MetricStore, metric: string, key: string): TrendSummary | undefined {
  const h = store.trends.get(metric)?.get(key);
  if (!h || h.totalCount === 0) return undefined;
  return { type: 'trend', ...histogramStats(h) };
}

export function emptyTrend(): TrendSummary {
  return {
    type: 'trend',
    count: 0,
    min: 0,
    max: 0,
    mean: 0,
    stdev: 0,
    p50: 0,
    p90: 0,
    p95: 0,
    p99: 0,
    p999: 0,
  };
}

export function metricsFor(
  store: MetricStore,
  key: string,
  durationMs: number,
): Record<string, MetricSummary> {
  const out: Record<string, MetricSummary> = {};
  const perSec = (n: number) => (durationMs > 0 ? round(n / (durationMs / 1000)) : 0);
  for (const name of [...store.trends.keys()].sort()) {
    const s = trendSummary(store, name, key);
    if (s) out[name] = s;
  }
  for (const [name, series] of store.counters) {
    const n = series.get(key);
    if (n !== undefined) out[name] = { type: 'counter', count: n, rate: perSec(n) };
  }
  for (const [name, series] of store.rates) {
    const v = series.get(key);
    if (v)
      out[name] = {
        type: 'rate',
        rate: v[0] + v[1] ? round(v[0] / (v[0] + v[1]), 6) : 0,
        passes: v[0],
        fails: v[1],
      };
  }
  for (const [name, series] of store.gauges) {
    if (BOOKKEEPING_GAUGES.has(name)) continue;
    const g = series.get(key);
    if (g) out[name] = { type: 'gauge', ...g };
  }
  return out;
}

export function requestCounts(store: MetricStore, key: string, durationMs: number): RequestCounts {
  const total = store.counter('http_reqs', key);
  const byStatus = Object.fromEntries(
    [...(store.statuses.get(key) ?? new Map())].sort(([a], [b]) => Number(a) - Number(b)),
  );
  const errors = Object.fromEntries(store.errors.get(key) ?? new Map());
  return {
    total,
    byStatus,
    errors,
    failed: store.rate('http_req_failed', key)[0],
    rps: durationMs > 0 ? round(total / (durationMs / 1000)) : 0,
  };
}

/**
 * Percentiles 0, 90, 99, 99.9, ... (four steps per nine, up to 99.999) and 100: the points of an
 * HdrHistogram percentile plot, whose x axis is 1 / (1 - p).
 */
const DISTRIBUTION_PERCENTILES = [
  ...Array.from({ length: 21 }, (_, k) => round(100 * (1 - 10 ** (-k / 4)), 6)),
  100,
];

export function latencyDistributionOf(h: Histogram | undefined): Pick<ScenarioResult, 'latencyDistribution'> {
  if (!h || h.totalCount === 0) return {};
  return {
    latencyDistribution: DISTRIBUTION_PERCENTILES.map((p) => [p, percentileMs(h, p)]),
  };
}

/** Each scenario's endpoints (`METHOD name`), sorted, their rates left at 0 for the caller to set. */
export function endpointsOf(store: MetricStore): Map<string, EndpointResult[]> {
  const endpoints = new Map<string, EndpointResult[]>();
  const reqSeries = new Set([...(store.counters.get('http_reqs')?.keys() ?? [])]);
  for (const key of reqSeries) {
    const ep = parseEndpointKey(key);
    if (!ep) continue;
    const space = ep.endpoint.indexOf(' ');
    const list = endpoints.get(ep.scenario) ?? [];
    list.push({
      key: ep.endpoint,
      method: ep.endpoint.slice(0, space),
      name: ep.endpoint.slice(space + 1),
      requests: requestCounts(store, key, 0),
      latency: trendSummary(store, 'http_req_duration', key) ?? emptyTrend(),
    });
    endpoints.set(ep.scenario, list);
  }
  return endpoints;
}

/** The encoded histograms a merge needs: `metric` for the run, `metric{scenario=NAME}` per scenario. */
export function encodedHistograms(store: MetricStore): Record<string, string> {
  const histograms: Record<string, string> = {};
  for (const [name, series] of store.trends) {
    for (const [key, h] of series) {
      if (h.totalCount === 0) continue;
      if (key === '') histograms[name] = encodeHistogram(h);
      else if (key.startsWith('scenario=') && !key.includes('|'))
        histograms[`${name}{${key}}`] = encodeHistogram(h);
    }
  }
  return histograms;
}

/** How long each vu.group took, by its path. */
export function groupsOf(store: MetricStore): Record<string, TrendSummary> {
  const groups: Record<string, TrendSummary> = {};
  for (const [key, h] of store.trends.get('group_duration') ?? []) {
    if (key.startsWith('group=') && h.totalCount > 0)
      groups[key.slice('group='.length)] = { type: 'trend', ...histogramStats(h) };
  }
  return groups;
}

/** vu.check results by name. */
export function flowChecksOf(store: MetricStore): ResultsFile['flowChecks'] {
  const flowChecks: ResultsFile['flowChecks'] = {};
  for (const [key, [passes, fails]] of store.rates.get('checks') ?? []) {
    if (key.startsWith('check=')) flowChecks[key.slice('check='.length)] = { passes, fails };
  }
  return flowChecks;
}
