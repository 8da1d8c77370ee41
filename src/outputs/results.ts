/**
 * Builds results.json from the merged metrics of a run. Pure: what it returns is all any
 * report needs.
 */
import { encodeHistogram, type Histogram, histogramStats, percentileMs } from '../metrics/histogram.ts';
import { parseEndpointKey, scenarioKey } from '../metrics/keys.ts';
import type { MetricStore } from '../metrics/store.ts';
import type { Plan } from '../plan/types.ts';
import {
  type CheckResult,
  type EndpointResult,
  type MetricSummary,
  type RequestCounts,
  type ResultsFile,
  SCHEMA_VERSION,
  type ScenarioResult,
  type ThresholdResult,
  type TimelinePoint,
  type TrendSummary,
  type Verdict,
} from './results-types.ts';
import type { ScenarioTimeline } from './scenario-timeline.ts';

export interface ResultsInput {
  plan: Plan;
  file?: string;
  store: MetricStore;
  timeline: TimelinePoint[];
  startedAt: Date;
  durationMs: number;
  interrupted: boolean;
  interruptReason?: string;
  /** Workers that exited, crashed or were stuck: the run is incomplete. */
  workerFailures?: string[];
  workers: number;
  /** Each scenario's seconds, when they were taken. */
  scenarioTimeline?: ScenarioTimeline;
  thresholds: ThresholdResult[];
  checks: CheckResult[];
  version: string;
}

const round = (x: number, digits = 3) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** The target without credentials, query or fragment: reports must not leak secrets. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

function trendSummary(store: MetricStore, metric: string, key: string): TrendSummary | undefined {
  const h = store.trends.get(metric)?.get(key);
  if (!h || h.totalCount === 0) return undefined;
  return { type: 'trend', ...histogramStats(h) };
}

function emptyTrend(): TrendSummary {
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

function metricsFor(store: MetricStore, key: string, durationMs: number): Record<string, MetricSummary> {
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
    if (name.startsWith('scenario_')) continue;
    const g = series.get(key);
    if (g) out[name] = { type: 'gauge', ...g };
  }
  return out;
}

function requestCounts(store: MetricStore, key: string, durationMs: number): RequestCounts {
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

function latencyDistributionOf(h: Histogram | undefined): Pick<ScenarioResult, 'latencyDistribution'> {
  if (!h || h.totalCount === 0) return {};
  return {
    latencyDistribution: DISTRIBUTION_PERCENTILES.map((p) => [p, percentileMs(h, p)]),
  };
}

export function verdictOf(
  thresholds: ThresholdResult[],
  checks: CheckResult[],
  interrupted: boolean,
  interruptReason?: string,
  workerFailures: string[] = [],
): Verdict {
  const reasons: string[] = [];
  for (const f of workerFailures) reasons.push(`incomplete run: ${f}`);
  const warnings: string[] = [];
  for (const t of thresholds) {
    const actual = t.actual === null ? 'no data' : `actual ${t.actual}`;
    const kind = t.isDefault ? 'default threshold' : 'threshold';
    if (t.level === 'FAIL') reasons.push(`${kind} ${t.metric} ${t.expression} failed (${actual})`);
    else if (t.level === 'WARN')
      warnings.push(
        `threshold ${t.metric} ${t.expression} missed its target but held ${t.critical} (${actual})`,
      );
  }
  for (const c of checks) {
    if (!c.ok)
      reasons.push(`check ${c.name} failed${c.phase ? ` (${c.phase})` : ''}: ${c.message ?? 'violated'}`);
  }
  if (interrupted)
    reasons.push(`run interrupted before the plan finished${interruptReason ? `: ${interruptReason}` : ''}`);
  return { status: reasons.length ? 'NO-GO' : 'GO', reasons, warnings };
}

export function buildResults(input: ResultsInput): ResultsFile {
  const { store, plan, durationMs } = input;
  const scenarios: Record<string, ScenarioResult> = {};
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
  const flowCounts = store.counters.get('iterations');
  for (const s of plan.scenarios) {
    const key = scenarioKey(s.name);
    const sDuration = store.gauges.get('scenario_duration_ms')?.get(key)?.max ?? 0;
    const flows: Record<string, number> = {};
    for (const f of s.flows) flows[f.name] = flowCounts?.get(`flow=${s.name}|${f.name}`) ?? 0;
    const eps = endpoints.get(s.name) ?? [];
    for (const e of eps) e.requests.rps = sDuration > 0 ? round(e.requests.total / (sDuration / 1000)) : 0;
    eps.sort((a, b) => a.key.localeCompare(b.key));
    scenarios[s.name] = {
      name: s.name,
      executor: s.config.executor,
      startMs: round(store.gauges.get('scenario_start_ms')?.get(key)?.min ?? s.startTimeMs, 0),
      durationMs: round(sDuration, 0),
      requests: requestCounts(store, key, sDuration),
      iterations: store.counter('iterations', key),
      droppedIterations: store.counter('dropped_iterations', key),
      metrics: metricsFor(store, key, sDuration),
      endpoints: eps,
      flows,
      ...latencyDistributionOf(store.trends.get('http_req_duration')?.get(key)),
      ...(input.scenarioTimeline ? { timeline: input.scenarioTimeline.of(s.name) } : {}),
    };
  }
  const histograms: Record<string, string> = {};
  for (const [name, series] of store.trends) {
    for (const [key, h] of series) {
      if (h.totalCount === 0) continue;
      if (key === '') histograms[name] = encodeHistogram(h);
      else if (key.startsWith('scenario=') && !key.includes('|'))
        histograms[`${name}{${key}}`] = encodeHistogram(h);
    }
  }
  const groups: Record<string, TrendSummary> = {};
  for (const [key, h] of store.trends.get('group_duration') ?? []) {
    if (key.startsWith('group=') && h.totalCount > 0)
      groups[key.slice('group='.length)] = { type: 'trend', ...histogramStats(h) };
  }
  const flowChecks: ResultsFile['flowChecks'] = {};
  for (const [key, [passes, fails]] of store.rates.get('checks') ?? []) {
    if (key.startsWith('check=')) flowChecks[key.slice('check='.length)] = { passes, fails };
  }
  const endedAt = new Date(input.startedAt.getTime() + durationMs);
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'loadproof', version: input.version },
    plan: { name: plan.name, ...(input.file ? { file: input.file } : {}), target: redactUrl(plan.target) },
    startedAt: input.startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: Math.round(durationMs),
    interrupted: input.interrupted,
    ...(input.interruptReason ? { interruptReason: input.interruptReason } : {}),
    ...(input.workerFailures?.length ? { incomplete: true, workerFailures: input.workerFailures } : {}),
    workers: input.workers,
    verdict: verdictOf(
      input.thresholds,
      input.checks,
      input.interrupted,
      input.interruptReason,
      input.workerFailures,
    ),
    requests: requestCounts(store, '', durationMs),
    iterations: store.counter('iterations'),
    droppedIterations: store.counter('dropped_iterations'),
    metrics: metricsFor(store, '', durationMs),
    scenarios,
    ...latencyDistributionOf(store.trends.get('http_req_duration')?.get('')),
    thresholds: input.thresholds,
    checks: input.checks,
    ...(Object.keys(groups).length ? { groups } : {}),
    flowChecks,
    timeline: input.timeline,
    histograms,
  };
}
