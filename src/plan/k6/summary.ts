/**
 * The data k6 gives `handleSummary(data)`, built from loadproof's results: `metrics` (each with
 * `type`, `contains`, `values` and its `thresholds`), `root_group` (groups by path, and the
 * checks), `options` and `state.testRunDurationMs`. Only the metrics loadproof records are there,
 * and each tagged submetric a threshold names.
 */
import { emptyTrend } from '../../results/summaries.ts';
import type { MetricSummary, ResultsFile, TrendSummary } from '../../results/types.ts';
import { parseThreshold } from '../../verdict/threshold-parser.ts';

/** k6's default `summaryTrendStats`. */
export const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

/** The trend statistics loadproof keeps, by k6's names. */
function trendStat(t: TrendSummary, stat: string): number | undefined {
  switch (stat) {
    case 'avg':
      return t.mean;
    case 'min':
      return t.min;
    case 'med':
    case 'p(50)':
      return t.p50;
    case 'max':
      return t.max;
    case 'count':
      return t.count;
    case 'p(90)':
      return t.p90;
    case 'p(95)':
      return t.p95;
    case 'p(99)':
      return t.p99;
    case 'p(99.9)':
      return t.p999;
  }
  return undefined;
}

/** Trend statistics of `summaryTrendStats` that loadproof cannot give (other percentiles). */
export function unsupportedTrendStats(stats: readonly string[]): string[] {
  const probe = emptyTrend();
  return stats.filter((s) => trendStat(probe, s) === undefined);
}

const TIME_METRICS = /^(http_req_|iteration_duration$|group_duration$)/;
const DATA_METRICS = new Set(['data_received', 'data_sent']);

interface K6Metric {
  type: MetricSummary['type'];
  contains: 'time' | 'data' | 'default';
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

function valuesOf(m: MetricSummary, trendStats: readonly string[]): Record<string, number> {
  switch (m.type) {
    case 'trend': {
      const out: Record<string, number> = {};
      for (const s of trendStats) {
        const v = trendStat(m, s);
        if (v !== undefined) out[s] = v;
      }
      return out;
    }
    case 'counter':
      return { count: m.count, rate: m.rate };
    case 'rate': {
      // Unrounded, as k6 gives it (results.json rounds its rates).
      const n = m.passes + m.fails;
      return { rate: n === 0 ? 0 : m.passes / n, passes: m.passes, fails: m.fails };
    }
    case 'gauge':
      return { value: m.value, min: m.min, max: m.max };
  }
}

interface K6Check {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}

interface K6Group {
  name: string;
  path: string;
  id: string;
  groups: K6Group[];
  checks: K6Check[];
}

const newGroup = (name: string, path: string): K6Group => ({ name, path, id: path, groups: [], checks: [] });

/** The group tree from the paths results.json has (`::outer::inner`). */
function rootGroup(results: ResultsFile): K6Group {
  const root = newGroup('', '');
  for (const path of Object.keys(results.groups ?? {}).sort()) {
    let node = root;
    let at = '';
    for (const name of path.split('::').slice(1)) {
      at += `::${name}`;
      let child = node.groups.find((g) => g.name === name);
      if (!child) {
        child = newGroup(name, at);
        node.groups.push(child);
      }
      node = child;
    }
  }
  // results.json keeps checks by name only: they are listed in the root group.
  for (const [name, c] of Object.entries(results.flowChecks))
    root.checks.push({ name, path: `::${name}`, id: `::${name}`, passes: c.passes, fails: c.fails });
  return root;
}

export interface K6SummaryOptions {
  trendStats: readonly string[];
  timeMetrics: ReadonlySet<string>;
}

function containsOf(base: string, o: K6SummaryOptions): K6Metric['contains'] {
  if (DATA_METRICS.has(base)) return 'data';
  return TIME_METRICS.test(base) || o.timeMetrics.has(base) ? 'time' : 'default';
}

/** k6's name of a threshold's aggregation: `p(95)`, `count`, ... */
function aggregationName(expression: string): string {
  const { aggregation } = parseThreshold(expression);
  return aggregation.kind === 'percentile' ? `p(${aggregation.p})` : aggregation.kind;
}

/** k6's summary data (v0.47 shape) for the metrics, groups and checks of a loadproof run. */
export function k6SummaryOf(results: ResultsFile, o: K6SummaryOptions) {
  const metrics: Record<string, K6Metric> = {};
  for (const [key, m] of Object.entries(results.metrics)) {
    metrics[key] = {
      type: m.type,
      contains: containsOf(key.replace(/\{.*$/, ''), o),
      values: valuesOf(m, o.trendStats),
    };
  }
  // As in k6, a threshold on tagged samples (`http_reqs{status:404}`) makes a metric of its own;
  // results.json keeps only what its thresholds aggregated, so that is all its values hold.
  const submetrics = new Set<string>();
  for (const t of results.thresholds) {
    if (t.isDefault) continue;
    const base = t.metric.replace(/\{.*$/, '');
    const baseSummary = results.metrics[base];
    if (!metrics[t.metric] && base !== t.metric && baseSummary) {
      metrics[t.metric] = { type: baseSummary.type, contains: containsOf(base, o), values: {} };
      submetrics.add(t.metric);
    }
    const m = metrics[t.metric];
    if (!m) continue;
    if (submetrics.has(t.metric) && t.actual !== null) m.values[aggregationName(t.expression)] = t.actual;
    m.thresholds ??= {};
    m.thresholds[t.expression] = { ok: t.ok };
  }
  return {
    root_group: rootGroup(results),
    options: { summaryTrendStats: [...o.trendStats], summaryTimeUnit: '', noColor: false },
    state: {
      isStdOutTTY: !!process.stdout.isTTY,
      isStdErrTTY: !!process.stderr.isTTY,
      testRunDurationMs: results.durationMs,
    },
    metrics,
  };
}
