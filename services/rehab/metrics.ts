/** The rehab service's Prometheus metrics, in the text exposition format. */
export interface PipelineGauges {
  queue_depth: number;
  in_flight_writes: number;
  backlog: number;
  last_committed_position: number;
  last_projected_position: number;
  batch_latency_ms: { p50: number | null; p95: number | null; p99: number | null };
  projection_lag_ms: { p50: number | null; p95: number | null; p99: number | null };
  batches: number;
  events_projected: number;
  events_written: number;
  group_commits: number;
}

export class RehabMetrics {
  private readonly requests = new Map<string, number>();
  private readonly events = new Map<string, number>();
  backpressure = 0;
  rateLimited = 0;

  countRequest(route: string, method: string, status: number): void {
    const k = `method="${method}",route="${route}",status="${status}"`;
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
  }

  countEvent(kind: string): void {
    this.events.set(kind, (this.events.get(kind) ?? 0) + 1);
  }

  render(s: PipelineGauges): string {
    const quantiles = (name: string, q: PipelineGauges['batch_latency_ms']) =>
      (['p50', 'p95', 'p99'] as const)
        .filter((k) => q[k] !== null)
        .map((k) => `${name}{quantile="0.${k.slice(1)}"} ${(q[k] as number) / 1000}`);
    const lines = [
      '# HELP rehab_http_requests_total Requests answered, by route and status.',
      '# TYPE rehab_http_requests_total counter',
      ...[...this.requests].map(([k, v]) => `rehab_http_requests_total{${k}} ${v}`),
      '# HELP rehab_events_ingested_total Events acknowledged (committed to the log), by kind.',
      '# TYPE rehab_events_ingested_total counter',
      ...[...this.events].map(([k, v]) => `rehab_events_ingested_total{kind="${k}"} ${v}`),
      '# HELP rehab_group_commits_total Transactions that appended events to the log.',
      '# TYPE rehab_group_commits_total counter',
      `rehab_group_commits_total ${s.group_commits}`,
      '# HELP rehab_events_projected_total Events applied to the projections.',
      '# TYPE rehab_events_projected_total counter',
      `rehab_events_projected_total ${s.events_projected}`,
      '# HELP rehab_pipeline_batches_total Batches read from the log by the pipeline.',
      '# TYPE rehab_pipeline_batches_total counter',
      `rehab_pipeline_batches_total ${s.batches}`,
      '# HELP rehab_backpressure_rejections_total Writes answered 429 because the pipeline was behind.',
      '# TYPE rehab_backpressure_rejections_total counter',
      `rehab_backpressure_rejections_total ${this.backpressure}`,
      '# HELP rehab_rate_limited_total Requests answered 429 by the per-token rate limit.',
      '# TYPE rehab_rate_limited_total counter',
      `rehab_rate_limited_total ${this.rateLimited}`,
      '# HELP rehab_pipeline_queue_depth Events waiting for their commit or their projection.',
      '# TYPE rehab_pipeline_queue_depth gauge',
      `rehab_pipeline_queue_depth ${s.queue_depth}`,
      '# HELP rehab_pipeline_in_flight_writes Events waiting for their commit.',
      '# TYPE rehab_pipeline_in_flight_writes gauge',
      `rehab_pipeline_in_flight_writes ${s.in_flight_writes}`,
      '# HELP rehab_pipeline_backlog Committed events not yet projected.',
      '# TYPE rehab_pipeline_backlog gauge',
      `rehab_pipeline_backlog ${s.backlog}`,
      '# HELP rehab_stream_position Highest committed and projected stream positions.',
      '# TYPE rehab_stream_position gauge',
      `rehab_stream_position{stage="committed"} ${s.last_committed_position}`,
      `rehab_stream_position{stage="projected"} ${s.last_projected_position}`,
      '# HELP rehab_pipeline_batch_latency_seconds Time from reading a batch to projecting all of it (recent batches).',
      '# TYPE rehab_pipeline_batch_latency_seconds summary',
      ...quantiles('rehab_pipeline_batch_latency_seconds', s.batch_latency_ms),
      '# HELP rehab_projection_lag_seconds Time from an event commit to its projection (recent events).',
      '# TYPE rehab_projection_lag_seconds summary',
      ...quantiles('rehab_projection_lag_seconds', s.projection_lag_ms),
    ];
    return `${lines.join('\n')}\n`;
  }
}
