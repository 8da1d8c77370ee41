/**
 * A threshold's actual value in the unit its expression is about: milliseconds for built-in
 * latencies, a percentage for rate metrics, per second for `rps` and counter rates, a plain
 * number otherwise (a custom trend carries whatever unit its flow recorded).
 */
import { BUILTIN_METRICS } from '../metrics/names.ts';
import type { MetricSummary, ThresholdResult } from '../results/types.ts';
import { ms, num } from './format.ts';

export function thresholdActual(t: ThresholdResult, metrics: Record<string, MetricSummary>): string {
  if (t.actual === null) return 'no data';
  const metric = t.metric.replace(/\{.*$/s, '');
  const kind = metrics[metric]?.type ?? (BUILTIN_METRICS as Record<string, string>)[metric];
  const aggregation = t.expression.replace(/\s/g, '').replace(/[<>=!].*$/s, '');
  if (aggregation === 'rps') return `${num(t.actual)}/s`;
  if (aggregation === 'count') return num(t.actual);
  if (kind === 'rate') return `${(t.actual * 100).toFixed(2)}%`;
  if (kind === 'counter') return `${num(t.actual)}/s`;
  if (kind === 'trend' && metric in BUILTIN_METRICS) return ms(t.actual);
  return num(t.actual);
}
