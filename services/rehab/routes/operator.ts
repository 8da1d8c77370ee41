/**
 * The operators' routes: health (anyone), and for admins the pipeline's status and the
 * service's Prometheus metrics, both read from the writer's and the pipeline's counters.
 */
import { unavailable } from '../../shared/http.ts';
import type { RehabContext } from './context.ts';

export function registerOperatorRoutes(c: RehabContext): void {
  const { app, pool, health, metrics, writer, pipeline, limits } = c;

  app.get('/health', async (_req, reply) => {
    try {
      await pool.query('SELECT 1');
      return { status: 'ok' };
    } catch (e) {
      health.failed(e);
      return unavailable(reply);
    }
  });

  const status = () => {
    const pressure = writer.pending >= limits.maxPendingWrites || pipeline.backlog >= limits.maxBacklog;
    return {
      status: !health.reachable ? 'database_unreachable' : pressure ? 'backpressure' : 'ok',
      database: health.reachable ? 'reachable' : 'unreachable',
      queue_depth: writer.pending + pipeline.backlog,
      in_flight_writes: writer.pending,
      backlog: pipeline.backlog,
      last_committed_position: writer.lastCommittedPosition,
      last_projected_position: pipeline.lastProjectedPosition,
      batch_latency_ms: quantiles(pipeline.batchLatencyMs),
      projection_lag_ms: quantiles(pipeline.projectionLagMs),
      batches: pipeline.batches,
      events_projected: pipeline.eventsProjected,
      events_written: writer.eventsWritten,
      group_commits: writer.commits,
      processors: pipeline.processorStatus(),
      backpressure: { active: pressure, rejections: metrics.backpressure },
      config: {
        batch_size: pipeline.batchSize,
        batch_timeout_ms: pipeline.batchTimeoutMs,
        processors: pipeline.partitions,
        max_backlog: limits.maxBacklog,
        max_pending_writes: limits.maxPendingWrites,
        rate_limit: limits.rateLimit ? `${limits.rateLimit.max}/${limits.rateLimit.windowMs / 1000}s` : 'off',
      },
      ...(pipeline.lastError ? { last_error: pipeline.lastError } : {}),
    };
  };

  app.get('/metrics', { onRequest: c.access.adminOnly }, async (_req, reply) => {
    reply.type('text/plain; version=0.0.4');
    return metrics.render(status());
  });

  app.get('/api/v1/pipeline/status', { onRequest: c.access.adminOnly }, async () => status());
}

function quantiles(ring: { percentile(p: number): number | null; size: number }) {
  const r = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return {
    p50: r(ring.percentile(50)),
    p95: r(ring.percentile(95)),
    p99: r(ring.percentile(99)),
    samples: ring.size,
  };
}
