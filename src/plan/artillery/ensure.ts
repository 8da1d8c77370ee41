/**
 * Artillery's `ensure` as loadproof thresholds, so a failed check gives NO-GO (exit 3):
 * - the old form `ensure: { p95: 200, p99: 500, max, min, median }`: http.response_time under
 *   the value; `maxErrorRate: 1`: at most 1% of virtual users failed (Artillery counts
 *   (created - completed) / created), on the rate metric `vusers.failed`;
 * - `thresholds: [{ metric: value }]`: the metric under the value;
 * - `conditions: [{ expression, strict }]`: comparisons of a metric with a number joined by
 *   `and`; `strict: false` makes a failure a warning (WARN), not NO-GO.
 * Artillery's metric names map onto loadproof's (http.response_time.p95 → http_req_duration
 * p(95); http.codes.409 → http_reqs{status:409}; vusers.* and errors.* are recorded by the
 * runtime); any other name is a metric the processor emits.
 *
 * loadproof's latency counts from the intended start of a request, so it is never below what
 * Artillery reports for the same run.
 */
import type { MetricType } from '../../metrics/names.ts';
import type { ThresholdInput } from '../types.ts';
import { type Expr, ExpressionError, parseExpression } from './expression.ts';
import type { EnsureModel } from './model.ts';
import type { ParseIssue } from './parse.ts';

export interface EnsurePlan {
  thresholds: Record<string, ThresholdInput[]>;
  metrics: Record<string, MetricType>;
}

/** Metrics the runtime always records, declared so that thresholds may name them. */
export const RUNTIME_METRICS: Record<string, MetricType> = {
  'vusers.created': 'counter',
  'vusers.completed': 'counter',
  'vusers.failed': 'rate',
};

interface MappedMetric {
  key: string;
  /** The aggregation part of a threshold: p(95), avg, count, rate, rps ... */
  aggregation: string;
  /** A custom metric to declare. */
  declare?: [string, MetricType];
}

const TREND_AGGREGATIONS: Record<string, string> = {
  min: 'min',
  max: 'max',
  median: 'med',
  mean: 'avg',
  count: 'count',
  p50: 'p(50)',
  p75: 'p(75)',
  p90: 'p(90)',
  p95: 'p(95)',
  p99: 'p(99)',
  p999: 'p(99.9)',
};

const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

export function mapMetric(artilleryName: string): MappedMetric | string {
  const name = artilleryName
    .trim()
    .replace(/^(core|engine)\./, '')
    .replace(/^(vusers\.[a-z_]+)\.total$/, '$1');
  const dot = name.lastIndexOf('.');
  const base = dot > 0 ? name.slice(0, dot) : name;
  const last = dot > 0 ? name.slice(dot + 1) : '';
  if (base === 'http.response_time' && last in TREND_AGGREGATIONS)
    return { key: 'http_req_duration', aggregation: TREND_AGGREGATIONS[last] as string };
  if (base === 'vusers.session_length' && last in TREND_AGGREGATIONS)
    return { key: 'iteration_duration', aggregation: TREND_AGGREGATIONS[last] as string };
  if (name === 'http.request_rate') return { key: 'http_reqs', aggregation: 'rps' };
  if (name === 'http.requests') return { key: 'http_reqs', aggregation: 'count' };
  if (name === 'http.downloaded_bytes') return { key: 'data_received', aggregation: 'count' };
  if (base === 'http.codes' && /^\d{3}$/.test(last))
    return { key: `http_reqs{status:${last}}`, aggregation: 'count' };
  if (name === 'vusers.skipped') return { key: 'dropped_iterations', aggregation: 'count' };
  if (name === 'vusers.created' || name === 'vusers.completed') return { key: name, aggregation: 'count' };
  if (name === 'vusers.failed') return { key: name, aggregation: 'count' };
  if (name === 'http.responses' || name.startsWith('http.'))
    return `${artilleryName}: no loadproof equivalent (use http.requests, http.codes.NNN, http.request_rate or http.response_time.*)`;
  if (last in TREND_AGGREGATIONS && METRIC_NAME.test(base))
    return { key: base, aggregation: TREND_AGGREGATIONS[last] as string, declare: [base, 'trend'] };
  if (!METRIC_NAME.test(name)) return `${artilleryName}: not a metric name loadproof can name in a threshold`;
  return { key: name, aggregation: 'count', declare: [name, 'counter'] };
}

/** A number as the threshold grammar writes it (no exponent). */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
}

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };

function comparisons(e: Expr, out: { metric: string; op: string; value: number }[]): boolean {
  if (e.kind === 'binary' && e.op === 'and') return comparisons(e.left, out) && comparisons(e.right, out);
  if (e.kind !== 'binary' || !(e.op in FLIP)) return false;
  const num = (x: Expr): number | undefined =>
    x.kind === 'number'
      ? x.value
      : x.kind === 'unary' && x.op === '-' && x.arg.kind === 'number'
        ? -x.arg.value
        : undefined;
  if (e.left.kind === 'symbol' && num(e.right) !== undefined) {
    out.push({ metric: e.left.name, op: e.op, value: num(e.right) as number });
    return true;
  }
  if (e.right.kind === 'symbol' && num(e.left) !== undefined) {
    out.push({ metric: e.right.name, op: FLIP[e.op] as string, value: num(e.left) as number });
    return true;
  }
  return false;
}

export function ensurePlan(
  e: EnsureModel,
  options: { expectations: boolean },
  issues: ParseIssue[],
): EnsurePlan {
  const thresholds: Record<string, ThresholdInput[]> = {};
  const metrics: Record<string, MetricType> = { ...RUNTIME_METRICS };
  const push = (key: string, t: ThresholdInput) => {
    const list = thresholds[key] ?? [];
    list.push(t);
    thresholds[key] = list;
  };
  const add = (artillery: string, op: string, value: number, path: string, strict = true) => {
    const m = mapMetric(artillery);
    if (typeof m === 'string') {
      issues.push({ path, message: m });
      return;
    }
    if (m.declare) {
      const [n, t] = m.declare;
      const known = metrics[n];
      if (known && known !== t) {
        issues.push({ path, message: `${n} is used both as a ${known} and as a ${t}` });
        return;
      }
      metrics[n] = t;
    }
    const expression = `${m.aggregation}${op}${formatNumber(value)}`;
    // A non-strict condition only warns: its critical level always holds.
    push(m.key, strict ? expression : { threshold: expression, critical: 'count>=0' });
  };
  for (const l of e.legacy) add(`http.response_time.${l.key}`, '<', l.value, l.path);
  if (e.maxErrorRate) {
    push('vusers.failed', `rate<=${formatNumber(e.maxErrorRate.value / 100)}`);
  }
  for (const t of e.thresholds) add(t.metric, '<', t.value, t.path);
  for (const c of e.conditions) {
    let expr: Expr;
    try {
      expr = parseExpression(c.expression);
    } catch (err) {
      if (err instanceof ExpressionError) {
        issues.push({ path: `${c.path}.expression`, message: `malformed expression: ${err.message}` });
        continue;
      }
      throw err;
    }
    const parts: { metric: string; op: string; value: number }[] = [];
    if (!comparisons(expr, parts)) {
      issues.push({
        path: `${c.path}.expression`,
        message: `"${c.expression}": only comparisons of a metric with a number, joined by "and", can be loadproof thresholds (write one condition per "or" branch you need, or use thresholds)`,
      });
      continue;
    }
    for (const p of parts) add(p.metric, p.op, p.value, `${c.path}.expression`, c.strict);
  }
  if (options.expectations) push('checks', 'rate==1');
  return { thresholds, metrics };
}
