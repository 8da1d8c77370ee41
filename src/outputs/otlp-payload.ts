/**
 * The run's metrics as an OTLP/HTTP JSON export request (OpenTelemetry's metrics data model):
 * counters as cumulative monotonic sums, rates as sums of their samples by value, gauges as
 * gauges, and every latency as an exponential histogram re-bucketed from the HDR histogram's own
 * values (never from percentiles), cumulative from the run's start. Series are exported at their
 * finest level only, as for Prometheus, so sums never count a sample twice.
 */

import type { Histogram } from '../metrics/histogram.ts';
import { recordedValues } from '../metrics/histogram-buckets.ts';
import { BOOKKEEPING_GAUGES } from '../metrics/names.ts';
import type { MetricStore } from '../metrics/store.ts';
import { finestSeries, requestsByStatus, type SeriesTags } from './series-tags.ts';

/** OpenTelemetry's default limit of buckets per exponential histogram. */
const MAX_BUCKETS = 160;
const MAX_SCALE = 8;

type Attribute = { key: string; value: { stringValue: string } };

const attributes = (tags: SeriesTags): Attribute[] =>
  Object.entries(tags).map(([key, v]) => ({ key, value: { stringValue: v } }));

export interface ExponentialBuckets {
  scale: number;
  offset: number;
  bucketCounts: number[];
}

/** The bucket of value v > 0 at `scale`: (base^index, base^(index+1)], base = 2^(2^-scale). */
export function bucketIndex(v: number, scale: number): number {
  return Math.ceil(Math.log2(v) * 2 ** scale) - 1;
}

/**
 * Values (ms, each with a count) in exponential buckets at the finest scale up to 8 that keeps
 * them within 160 buckets, as OpenTelemetry's SDKs choose it.
 */
export function exponentialBuckets(values: readonly { ms: number; count: number }[]): ExponentialBuckets {
  const positive = values.filter((v) => v.ms > 0 && v.count > 0);
  if (!positive.length) return { scale: 0, offset: 0, bucketCounts: [] };
  const lo = Math.min(...positive.map((v) => v.ms));
  const hi = Math.max(...positive.map((v) => v.ms));
  let scale = MAX_SCALE;
  while (scale > -10 && bucketIndex(hi, scale) - bucketIndex(lo, scale) + 1 > MAX_BUCKETS) scale--;
  const offset = bucketIndex(lo, scale);
  const bucketCounts = new Array<number>(bucketIndex(hi, scale) - offset + 1).fill(0);
  for (const v of positive) bucketCounts[bucketIndex(v.ms, scale) - offset] += v.count;
  return { scale, offset, bucketCounts };
}

function histogramPoint(tags: SeriesTags, h: Histogram, start: string, now: string) {
  const values = recordedValues(h).map((v) => ({ ms: v.us / 1000, count: v.count }));
  const b = exponentialBuckets(values);
  return {
    attributes: attributes(tags),
    startTimeUnixNano: start,
    timeUnixNano: now,
    count: String(h.totalCount),
    sum: (h.mean * h.totalCount) / 1000,
    min: h.minNonZeroValue / 1000,
    max: h.maxValue / 1000,
    scale: b.scale,
    zeroCount: '0',
    positive: { offset: b.offset, bucketCounts: b.bucketCounts.map(String) },
  };
}

export interface OtlpContext {
  /** When the run started, and now, in ms since the epoch. */
  startMs: number;
  nowMs: number;
  version: string;
  /** Resource attributes (the plan's name, the run's id). */
  resource: Record<string, string>;
}

const nanos = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;

export function otlpPayload(store: MetricStore, ctx: OtlpContext): unknown {
  const start = nanos(ctx.startMs);
  const now = nanos(ctx.nowMs);
  const sumOf = (name: string, unit: string, points: { tags: SeriesTags; value: number }[]) => ({
    name,
    unit,
    sum: {
      aggregationTemporality: 2, // cumulative
      isMonotonic: true,
      dataPoints: points.map((p) => ({
        attributes: attributes(p.tags),
        startTimeUnixNano: start,
        timeUnixNano: now,
        asInt: String(p.value),
      })),
    },
  });
  const metrics: unknown[] = [];
  metrics.push(sumOf('http_reqs', '{request}', requestsByStatus(store)));
  for (const [name, series] of store.counters) {
    if (name === 'http_reqs') continue;
    metrics.push(
      sumOf(
        name,
        name.startsWith('data_') ? 'By' : '1',
        finestSeries(series).map(([tags, value]) => ({ tags, value })),
      ),
    );
  }
  for (const [name, series] of store.rates)
    metrics.push(
      sumOf(
        name,
        '1',
        finestSeries(series).flatMap(([tags, [trues, falses]]) => [
          { tags: { ...tags, value: 'true' }, value: trues },
          { tags: { ...tags, value: 'false' }, value: falses },
        ]),
      ),
    );
  for (const [name, series] of store.gauges) {
    if (BOOKKEEPING_GAUGES.has(name)) continue;
    metrics.push({
      name,
      unit: '1',
      gauge: {
        dataPoints: finestSeries(series).map(([tags, g]) => ({
          attributes: attributes(tags),
          timeUnixNano: now,
          asDouble: g.value,
        })),
      },
    });
  }
  for (const [name, series] of store.trends) {
    const points = finestSeries(series)
      .filter(([, h]) => h.totalCount > 0)
      .map(([tags, h]) => histogramPoint(tags, h, start, now));
    if (points.length)
      metrics.push({
        name,
        unit: 'ms',
        exponentialHistogram: { aggregationTemporality: 2, dataPoints: points },
      });
  }
  return {
    resourceMetrics: [
      {
        resource: {
          attributes: attributes({ 'service.name': 'loadproof', ...ctx.resource }),
        },
        scopeMetrics: [{ scope: { name: 'loadproof', version: ctx.version }, metrics }],
      },
    ],
  };
}
