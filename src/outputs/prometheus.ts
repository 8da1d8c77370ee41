/**
 * Live metrics for Prometheus while a run goes on (`--prometheus HOST:PORT`): counters, gauges,
 * and latencies as cumulative histogram buckets, so that several generators can be summed in
 * Prometheus. Never percentiles as gauges: those cannot be merged.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.ts';
import type { Histogram } from '../metrics/histogram.ts';
import { BOOKKEEPING_GAUGES } from '../metrics/names.ts';
import type { MetricStore } from '../metrics/store.ts';
import { finestSeries, requestsByStatus, type SeriesTags } from './series-tags.ts';

/** Bucket bounds in seconds. */
export const BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * How many recorded values are <= `us`: the largest percentile whose value is <= us, found by
 * bisection. HDR reports a bucket by its highest equivalent value, so `us` is widened by the
 * histogram's resolution (3 significant digits).
 */
export function countAtOrBelow(h: Histogram, us: number): number {
  const total = h.totalCount;
  if (total === 0) return 0;
  const bound = us * 1.001;
  if (h.minNonZeroValue > bound) return 0;
  if (h.maxValue <= bound) return total;
  let lo = 0;
  let hi = 100;
  for (let i = 0; i < 40 && hi - lo > 1e-9; i++) {
    const mid = (lo + hi) / 2;
    if (h.getValueAtPercentile(mid) <= bound) lo = mid;
    else hi = mid;
  }
  return Math.min(total, Math.round((lo / 100) * total));
}

const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

type Labels = SeriesTags;

function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${label(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

const metricName = (name: string) => `loadproof_${name.replace(/[^a-zA-Z0-9_]/g, '_')}`;

/**
 * @param constant labels on every series: a shard's `run_id` and `shard`, so that a dashboard
 *   sums the shards of one run (`sum by (le)` over cumulative histograms, never percentiles).
 */
export function renderPrometheus(store: MetricStore, constant: Labels = {}): string {
  const out: string[] = [];
  const fmt = (labels: Labels) => formatLabels({ ...constant, ...labels });
  out.push(
    '# HELP loadproof_http_reqs_total Requests sent, by status or error code.',
    '# TYPE loadproof_http_reqs_total counter',
  );
  for (const { tags, value } of requestsByStatus(store))
    out.push(`loadproof_http_reqs_total${fmt(tags)} ${value}`);
  for (const [name, series] of store.counters) {
    if (name === 'http_reqs') continue;
    const metric = `${metricName(name)}_total`;
    out.push(`# TYPE ${metric} counter`);
    for (const [l, n] of finestSeries(series)) out.push(`${metric}${fmt(l)} ${n}`);
  }
  for (const [name, series] of store.rates) {
    const metric = `${metricName(name)}_total`;
    out.push(
      `# HELP ${metric} ${name}: samples by value (true: the request failed, the check passed, ...).`,
      `# TYPE ${metric} counter`,
    );
    for (const [l, [trues, falses]] of finestSeries(series)) {
      out.push(`${metric}${fmt({ ...l, value: 'true' })} ${trues}`);
      out.push(`${metric}${fmt({ ...l, value: 'false' })} ${falses}`);
    }
  }
  for (const [name, series] of store.gauges) {
    if (BOOKKEEPING_GAUGES.has(name)) continue;
    const metric = metricName(name);
    out.push(`# TYPE ${metric} gauge`);
    for (const [l, g] of finestSeries(series)) out.push(`${metric}${fmt(l)} ${g.value}`);
  }
  for (const [name, series] of store.trends) {
    const metric = `${metricName(name)}_seconds`;
    out.push(`# HELP ${metric} ${name} as a cumulative histogram.`, `# TYPE ${metric} histogram`);
    for (const [l, h] of finestSeries(series)) {
      if (h.totalCount === 0) continue;
      for (const le of BUCKETS_S)
        out.push(`${metric}_bucket${fmt({ ...l, le: String(le) })} ${countAtOrBelow(h, le * 1e6)}`);
      out.push(`${metric}_bucket${fmt({ ...l, le: '+Inf' })} ${h.totalCount}`);
      out.push(`${metric}_sum${fmt(l)} ${((h.mean * h.totalCount) / 1e6).toFixed(6)}`);
      out.push(`${metric}_count${fmt(l)} ${h.totalCount}`);
    }
  }
  return `${out.join('\n')}\n`;
}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65535)
    throw new UsageError(`--prometheus: expected HOST:PORT like 127.0.0.1:9464, got "${text}"`);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function serveMetrics(listen: string, render: () => string): Promise<MetricsServer> {
  const { host, port } = parseListen(listen);
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.statusCode = 404;
      res.end('not found: try /metrics\n');
      return;
    }
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(render());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(new UsageError(`--prometheus: cannot listen on ${listen}: ${(e as Error).message}`)),
    );
    server.listen(port, host, resolve);
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}/metrics`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
