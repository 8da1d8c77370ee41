/**
 * One second of a run as lines, one per series: the shape of `--out json=FILE` (NDJSON,
 * documented by schema/series-line.schema.json) and of `--out csv=FILE` (the same fields as
 * columns). Series are the run, each scenario, each endpoint and each flow check; `level` says
 * which, so that adding up the lines of one level never counts a sample twice. Requests are
 * `http_reqs` by status (or error code); times are milliseconds.
 */
import { histogramStats } from '../metrics/histogram.ts';
import { BOOKKEEPING_GAUGES } from '../metrics/names.ts';
import type { MetricStore } from '../metrics/store.ts';
import { seriesTags } from './series-tags.ts';

export interface SeriesLine {
  time: string;
  second: number;
  metric: string;
  type: 'counter' | 'rate' | 'trend' | 'gauge';
  level: 'run' | 'scenario' | 'endpoint' | 'check';
  tags: Record<string, string>;
  /** counter: the count in this second; gauge: its value. */
  value?: number;
  /** rate: samples that were true (a failed request, a passed check) and false, and the share. */
  passes?: number;
  fails?: number;
  rate?: number;
  /** trend: the samples of this second. */
  count?: number;
  min?: number;
  avg?: number;
  p50?: number;
  p90?: number;
  p95?: number;
  p99?: number;
  max?: number;
}

function levelOf(tags: Record<string, string>): SeriesLine['level'] {
  return 'check' in tags ? 'check' : 'name' in tags ? 'endpoint' : 'scenario' in tags ? 'scenario' : 'run';
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function secondLines(second: number, epochMs: number, figures: MetricStore): SeriesLine[] {
  const time = new Date(epochMs + (second - 1) * 1000).toISOString();
  const out: SeriesLine[] = [];
  const each = <V>(series: Map<string, V>, f: (tags: Record<string, string>, v: V) => void) => {
    for (const [key, v] of series) {
      if (key.startsWith('{')) continue; // a threshold filter: its samples are in the other series
      const tags = seriesTags(key);
      if (tags) f(tags, v);
    }
  };
  const base = (metric: string, type: SeriesLine['type'], tags: Record<string, string>) => ({
    time,
    second,
    metric,
    type,
    level: levelOf(tags),
    tags,
  });
  for (const byStatus of [figures.statuses, figures.errors])
    each(byStatus, (tags, counts) => {
      for (const [status, n] of counts)
        out.push({ ...base('http_reqs', 'counter', { ...tags, status }), value: n });
    });
  for (const [metric, series] of figures.counters) {
    if (metric === 'http_reqs') continue;
    each(series, (tags, n) => out.push({ ...base(metric, 'counter', tags), value: n }));
  }
  for (const [metric, series] of figures.rates)
    each(series, (tags, [passes, fails]) =>
      out.push({
        ...base(metric, 'rate', tags),
        passes,
        fails,
        rate: passes + fails ? round3(passes / (passes + fails)) : 0,
      }),
    );
  for (const [metric, series] of figures.gauges) {
    if (BOOKKEEPING_GAUGES.has(metric)) continue;
    each(series, (tags, g) => out.push({ ...base(metric, 'gauge', tags), value: g.value }));
  }
  for (const [metric, series] of figures.trends)
    each(series, (tags, h) => {
      if (h.totalCount === 0) return;
      const s = histogramStats(h);
      out.push({
        ...base(metric, 'trend', tags),
        count: s.count,
        min: s.min,
        avg: round3(s.mean),
        p50: s.p50,
        p90: s.p90,
        p95: s.p95,
        p99: s.p99,
        max: s.max,
      });
    });
  return out;
}

export const CSV_COLUMNS = [
  'time',
  'second',
  'metric',
  'type',
  'level',
  'scenario',
  'method',
  'name',
  'status',
  'check',
  'value',
  'passes',
  'fails',
  'rate',
  'count',
  'min',
  'avg',
  'p50',
  'p90',
  'p95',
  'p99',
  'max',
] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(v: unknown): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(line: SeriesLine): string {
  const flat: Record<string, unknown> = { ...line, ...line.tags };
  return CSV_COLUMNS.map((c) => csvField(flat[c])).join(',');
}
