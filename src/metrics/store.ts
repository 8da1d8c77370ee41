/**
 * Metric series of one thread, keyed by metric name and a series key ('' for the whole run,
 * `scenario=NAME` per scenario, `scenario=NAME|METHOD name` per endpoint, or a threshold's
 * tag filter). Memory is per series, never per sample.
 *
 * A worker's store holds what happened since its last flush; `flush()` hands that over as a
 * plain, mergeable `MetricsDelta` (histograms encoded) and starts again. The main thread adds
 * every delta into one cumulative store, so percentiles are merged, never averaged.
 */
import { addSnapshot, type Histogram, newHistogram, recordMs, snapshotHistogram } from './histogram.ts';

export interface GaugeValue {
  value: number;
  min: number;
  max: number;
}

export interface MetricsDelta {
  /** Histograms as `snapshotHistogram` bytes. */
  trends: Record<string, Record<string, Uint8Array>>;
  counters: Record<string, Record<string, number>>;
  rates: Record<string, Record<string, [number, number]>>;
  gauges: Record<string, Record<string, GaugeValue>>;
  /** Responses by status, per series key. */
  statuses: Record<string, Record<string, number>>;
  /** Requests without a response by error code, per series key. */
  errors: Record<string, Record<string, number>>;
}

function bump(map: Map<string, number>, key: string, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function nested<V>(outer: Map<string, Map<string, V>>, a: string): Map<string, V> {
  let inner = outer.get(a);
  if (!inner) {
    inner = new Map();
    outer.set(a, inner);
  }
  return inner;
}

function toRecord<V, W>(m: Map<string, Map<string, V>>, f: (v: V) => W): Record<string, Record<string, W>> {
  const out: Record<string, Record<string, W>> = {};
  for (const [a, inner] of m) {
    const r: Record<string, W> = {};
    for (const [b, v] of inner) r[b] = f(v);
    out[a] = r;
  }
  return out;
}

export class MetricStore {
  readonly trends = new Map<string, Map<string, Histogram>>();
  readonly counters = new Map<string, Map<string, number>>();
  readonly rates = new Map<string, Map<string, [number, number]>>();
  readonly gauges = new Map<string, Map<string, GaugeValue>>();
  readonly statuses = new Map<string, Map<string, number>>();
  readonly errors = new Map<string, Map<string, number>>();

  trend(name: string, key: string): Histogram {
    const series = nested(this.trends, name);
    let h = series.get(key);
    if (!h) {
      h = newHistogram();
      series.set(key, h);
    }
    return h;
  }

  addTrend(name: string, keys: readonly string[], ms: number): void {
    for (const k of keys) recordMs(this.trend(name, k), ms);
  }

  addCounter(name: string, keys: readonly string[], by: number): void {
    const series = nested(this.counters, name);
    for (const k of keys) bump(series, k, by);
  }

  addRate(name: string, keys: readonly string[], pass: boolean): void {
    const series = nested(this.rates, name);
    for (const k of keys) {
      const v = series.get(k) ?? [0, 0];
      v[pass ? 0 : 1]++;
      series.set(k, v);
    }
  }

  setGauge(name: string, keys: readonly string[], value: number): void {
    const series = nested(this.gauges, name);
    for (const k of keys) {
      const g = series.get(k);
      if (g) {
        g.value = value;
        if (value < g.min) g.min = value;
        if (value > g.max) g.max = value;
      } else series.set(k, { value, min: value, max: value });
    }
  }

  addStatus(keys: readonly string[], status: string): void {
    for (const k of keys) bump(nested(this.statuses, k), status, 1);
  }

  addError(keys: readonly string[], code: string): void {
    for (const k of keys) bump(nested(this.errors, k), code, 1);
  }

  /** Everything since the last flush, as a plain object; the store starts again (gauges keep their value). */
  flush(): MetricsDelta {
    const trends: MetricsDelta['trends'] = {};
    for (const [name, series] of this.trends) {
      const r: Record<string, Uint8Array> = {};
      for (const [k, h] of series) {
        if (h.totalCount === 0) continue;
        r[k] = snapshotHistogram(h);
        h.reset();
      }
      if (Object.keys(r).length) trends[name] = r;
    }
    const delta: MetricsDelta = {
      trends,
      counters: toRecord(this.counters, (v) => v),
      rates: toRecord(this.rates, (v) => [v[0], v[1]] as [number, number]),
      gauges: toRecord(this.gauges, (v) => ({ ...v })),
      statuses: toRecord(this.statuses, (v) => v),
      errors: toRecord(this.errors, (v) => v),
    };
    this.counters.clear();
    this.rates.clear();
    this.statuses.clear();
    this.errors.clear();
    for (const series of this.gauges.values()) for (const g of series.values()) g.min = g.max = g.value;
    return delta;
  }

  /** Adds a delta (from this or another thread). Gauges: the latest value, with min and max kept. */
  merge(delta: MetricsDelta): void {
    for (const [name, series] of Object.entries(delta.trends))
      for (const [k, snap] of Object.entries(series)) addSnapshot(this.trend(name, k), snap);
    for (const [name, series] of Object.entries(delta.counters))
      for (const [k, v] of Object.entries(series)) bump(nested(this.counters, name), k, v);
    for (const [name, series] of Object.entries(delta.rates))
      for (const [k, [p, f]] of Object.entries(series)) {
        const s = nested(this.rates, name);
        const v = s.get(k) ?? [0, 0];
        s.set(k, [v[0] + p, v[1] + f]);
      }
    for (const [name, series] of Object.entries(delta.gauges))
      for (const [k, g] of Object.entries(series)) {
        const s = nested(this.gauges, name);
        const cur = s.get(k);
        s.set(
          k,
          cur ? { value: g.value, min: Math.min(cur.min, g.min), max: Math.max(cur.max, g.max) } : { ...g },
        );
      }
    for (const [k, m] of Object.entries(delta.statuses))
      for (const [st, v] of Object.entries(m)) bump(nested(this.statuses, k), st, v);
    for (const [k, m] of Object.entries(delta.errors))
      for (const [c, v] of Object.entries(m)) bump(nested(this.errors, k), c, v);
  }

  counter(name: string, key = ''): number {
    return this.counters.get(name)?.get(key) ?? 0;
  }

  rate(name: string, key = ''): [number, number] {
    return this.rates.get(name)?.get(key) ?? [0, 0];
  }

  destroy(): void {
    for (const series of this.trends.values()) for (const h of series.values()) h.destroy();
    this.trends.clear();
  }
}
