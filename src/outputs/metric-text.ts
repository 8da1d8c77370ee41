/**
 * A metric's figures in one line of text, the same in the console summary and the HTML report:
 * trends by count and percentiles, counters with their rate, rates as a share, gauges with
 * their range. Figures are rounded for reading.
 */
import { BUILTIN_METRICS } from '../metrics/names.ts';
import type { MetricSummary, ResultsFile } from '../results/types.ts';
import { num } from './format.ts';

/** Metrics loadproof keeps for its own bookkeeping: neither built-in nor the plan's. */
const BOOKKEEPING = new Set(['iteration_errors', 'interrupted_iterations']);

/** Two decimals under 10, one under 1000, none above. */
export function figure(v: number): string {
  const a = Math.abs(v);
  return a < 10 ? v.toFixed(2) : a < 1000 ? v.toFixed(1) : num(Math.round(v));
}

export function describeMetric(m: MetricSummary): string {
  switch (m.type) {
    case 'trend':
      return `count ${num(m.count)}, avg ${figure(m.mean)}, p50 ${figure(m.p50)}, p95 ${figure(m.p95)}, p99 ${figure(m.p99)}, max ${figure(m.max)}`;
    case 'counter':
      return `${num(m.count)} (${figure(m.rate)}/s)`;
    case 'rate':
      return `${(m.rate * 100).toFixed(2)}% (${num(m.passes)} of ${num(m.passes + m.fails)})`;
    case 'gauge':
      return `${figure(m.value)} (min ${figure(m.min)}, max ${figure(m.max)})`;
  }
}

/** The metrics the plan recorded itself (vu.metrics, Artillery's events.emit). */
export function customMetrics(r: ResultsFile): [string, MetricSummary][] {
  return Object.entries(r.metrics).filter(([name]) => !(name in BUILTIN_METRICS) && !BOOKKEEPING.has(name));
}
