/**
 * Threshold evaluation over the merged metrics: PASS when the expression holds, WARN when only
 * the critical level holds (over target, within critical), FAIL otherwise. A metric without
 * data gives null: FAIL, since a promise nobody measured is not kept.
 */
import { histogramStats, percentileMs } from '../metrics/histogram.ts';
import { parseMetricKey, scenarioKey } from '../metrics/keys.ts';
import type { MetricStore } from '../metrics/store.ts';
import type { ThresholdSpec } from '../plan/types.ts';
import type { ThresholdResult } from '../results/types.ts';
import { type Aggregation, compare, parseThreshold, thresholdSeriesKey } from './threshold-parser.ts';

export type MetricKind = 'trend' | 'counter' | 'rate' | 'gauge';

/** The value an aggregation of a metric series has now; null without data. */
export function aggregate(
  store: MetricStore,
  kind: MetricKind,
  metric: string,
  seriesKey: string,
  agg: Aggregation,
  durationMs: number,
): number | null {
  const perSecond = (n: number) => (durationMs > 0 ? n / (durationMs / 1000) : 0);
  switch (kind) {
    case 'trend': {
      const h = store.trends.get(metric)?.get(seriesKey);
      if (!h || h.totalCount === 0) return agg.kind === 'count' || agg.kind === 'rps' ? 0 : null;
      if (agg.kind === 'percentile') return percentileMs(h, agg.p);
      if (agg.kind === 'count') return h.totalCount;
      if (agg.kind === 'rps') return perSecond(h.totalCount);
      const s = histogramStats(h);
      return agg.kind === 'avg' ? s.mean : agg.kind === 'med' ? s.p50 : agg.kind === 'min' ? s.min : s.max;
    }
    case 'counter': {
      const n = store.counters.get(metric)?.get(seriesKey) ?? 0;
      return agg.kind === 'count' ? n : perSecond(n);
    }
    case 'rate': {
      const v = store.rates.get(metric)?.get(seriesKey);
      if (!v) return agg.kind === 'count' ? 0 : null;
      if (agg.kind === 'count') return v[0];
      const total = v[0] + v[1];
      return total === 0 ? null : v[0] / total;
    }
    case 'gauge': {
      const g = store.gauges.get(metric)?.get(seriesKey);
      if (!g) return null;
      return agg.kind === 'min' ? g.min : agg.kind === 'max' ? g.max : g.value;
    }
  }
}

/**
 * The time a series was active, over which `rps` and counter rates are taken: for a series
 * filtered by tags other than the scenario, from its first request to its last; for one
 * filtered by scenario, the scenario's own run time (as its table in the reports shows); the
 * run's otherwise, and whenever a series had too few requests to span any time. Until a
 * scenario has ended, the run's time so far.
 */
function activeDurationMs(
  store: MetricStore,
  filters: readonly [string, string][],
  series: string,
  runMs: number,
): number {
  if (filters.some(([tag]) => tag !== 'scenario')) {
    const span = store.gauges.get('series_active_ms')?.get(series);
    if (span && span.max > span.min) return span.max - span.min;
  }
  const scenario = filters.find(([tag]) => tag === 'scenario')?.[1];
  if (scenario === undefined) return runMs;
  const ran = store.gauges.get('scenario_duration_ms')?.get(scenarioKey(scenario))?.max;
  return ran !== undefined && ran > 0 ? ran : runMs;
}

export function evaluateThreshold(
  spec: ThresholdSpec,
  store: MetricStore,
  metricTypes: Record<string, MetricKind>,
  durationMs: number,
): ThresholdResult {
  const { metric, filters } = parseMetricKey(spec.key);
  const kind = metricTypes[metric] ?? 'trend';
  const series = thresholdSeriesKey(spec.key);
  const target = parseThreshold(spec.expression);
  const activeMs = activeDurationMs(store, filters, series, durationMs);
  const actual = aggregate(store, kind, metric, series, target.aggregation, activeMs);
  const holds = (expr: string) => {
    const t = parseThreshold(expr);
    const v = aggregate(store, kind, metric, series, t.aggregation, activeMs);
    return v !== null && compare(v, t.operator, t.value);
  };
  let level: ThresholdResult['level'];
  if (actual !== null && compare(actual, target.operator, target.value)) level = 'PASS';
  else if (actual === null && spec.isDefault) level = 'PASS';
  else if (spec.critical !== undefined && holds(spec.critical)) level = 'WARN';
  else level = 'FAIL';
  return {
    metric: spec.key,
    expression: spec.expression,
    ...(spec.critical !== undefined ? { critical: spec.critical } : {}),
    actual: actual === null ? null : Math.round(actual * 1e6) / 1e6,
    level,
    ok: level !== 'FAIL',
    abortOnFail: spec.abortOnFail,
    ...(spec.isDefault ? { isDefault: true } : {}),
  };
}
