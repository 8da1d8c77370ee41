/**
 * The rehab service: patient devices post exercise events; therapists read adherence, quality,
 * alerts and a work queue, projected from the event log by the pipeline. Fastify 5 and pg.
 *
 * This file wires the parts: the pool and migrations, the writer and the pipeline, access
 * (access.ts, care-assignments.ts, audit-log.ts) and the routes (routes/).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { DatabaseHealth, isDatabaseUnavailable } from '../shared/database-health.ts';
import {
  clientErrorHandler,
  frameworkErrors,
  installErrorHandling,
  installSafetyHeaders,
  installStrictJson,
} from '../shared/http.ts';
import { runMigrations } from '../shared/migrate.ts';
import { installParameterChecks } from '../shared/parameters.ts';
import { type RateLimit, RateLimiter } from '../shared/rate-limit.ts';
import { rehabAccess } from './access.ts';
import { AuditLog } from './audit-log.ts';
import { RehabTokenVerifier, rehabSecret } from './auth.ts';
import { CareAssignments } from './care-assignments.ts';
import { RehabMetrics } from './metrics.ts';
import { Pipeline, type PipelineOptions } from './pipeline.ts';
import { registerAlertRoutes } from './routes/alerts.ts';
import type { RehabContext } from './routes/context.ts';
import { registerIngestRoutes } from './routes/ingest.ts';
import { registerOperatorRoutes } from './routes/operator.ts';
import { registerProjectionRoutes } from './routes/projections.ts';
import { registerStreamRoutes } from './routes/stream.ts';
import { EventWriter, type WriterOptions } from './writer.ts';

export interface RehabOptions {
  databaseUrl: string;
  /** undefined: no rate limiting (the load-test profile). */
  rateLimit?: RateLimit;
  poolSize?: number;
  secret?: Uint8Array;
  batchSize?: number;
  batchTimeoutMs?: number;
  processors?: number;
  /** Unprojected events past which writes get 429 (default 50,000). */
  maxBacklog?: number;
  /** Events waiting for their commit past which writes get 429 (default 20,000). */
  maxPendingWrites?: number;
  onError?: (message: string) => void;
  /** Where the service's log lines go (default stderr). */
  log?: (line: string) => void;
  /**
   * Build the event writer and the projection pipeline (default: `EventWriter`, `Pipeline`).
   * Tests put their faulty doubles here (test/services/doubles/); main.ts never sets them.
   */
  eventWriter?: (pool: pg.Pool, options: WriterOptions) => EventWriter;
  pipeline?: (options: PipelineOptions) => Pipeline;
}

export interface RehabApp {
  app: FastifyInstance;
  pool: pg.Pool;
  writer: EventWriter;
  pipeline: Pipeline;
}

export async function createRehabApp(o: RehabOptions): Promise<RehabApp> {
  const pool = new pg.Pool({ connectionString: o.databaseUrl, max: o.poolSize ?? 16, idleTimeoutMillis: 0 });
  pool.on('error', () => {});
  await runMigrations(pool, { dir: new URL('./migrations/', import.meta.url) });
  const clients = await Promise.all(Array.from({ length: o.poolSize ?? 16 }, () => pool.connect()));
  for (const c of clients) c.release();

  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const health = new DatabaseHealth('rehab', () => pool.query('SELECT 1'), log);
  const metrics = new RehabMetrics();
  const newPipeline = o.pipeline ?? ((options) => new Pipeline(options));
  const pipeline = newPipeline({
    databaseUrl: o.databaseUrl,
    ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
    ...(o.batchTimeoutMs !== undefined ? { batchTimeoutMs: o.batchTimeoutMs } : {}),
    ...(o.processors !== undefined ? { processors: o.processors } : {}),
    // An unreachable database is the health's news, told once; anything else is the pipeline's.
    onError: (message, error) => {
      if (isDatabaseUnavailable(error)) health.failed(error, false);
      else if (o.onError) o.onError(message);
      else log(`rehab: ${message}`);
    },
  });
  const newWriter = o.eventWriter ?? ((db, options) => new EventWriter(db, options));
  const writer = newWriter(pool, { onCommit: (p) => pipeline.notify(p) });
  await writer.init();
  await pipeline.start();
  const audit = new AuditLog(pool);

  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
    clientErrorHandler,
    frameworkErrors,
  });
  installStrictJson(app);
  installSafetyHeaders(app);
  installParameterChecks(app);
  installErrorHandling(app, 'rehab', health, log);
  app.addHook('onResponse', async (req, reply) => {
    metrics.countRequest(req.routeOptions.url ?? 'unknown', req.method, reply.statusCode);
  });

  const context: RehabContext = {
    app,
    pool,
    health,
    metrics,
    writer,
    pipeline,
    access: rehabAccess({
      verifier: new RehabTokenVerifier(o.secret ?? rehabSecret()),
      limiter: o.rateLimit ? new RateLimiter(o.rateLimit) : undefined,
      metrics,
    }),
    assignments: new CareAssignments(pool),
    audit,
    limits: {
      maxBacklog: o.maxBacklog ?? 50_000,
      maxPendingWrites: o.maxPendingWrites ?? 20_000,
      rateLimit: o.rateLimit,
    },
  };
  registerOperatorRoutes(context);
  registerIngestRoutes(context);
  registerProjectionRoutes(context);
  registerAlertRoutes(context);
  registerStreamRoutes(context);

  app.addHook('onClose', async () => {
    // Requests in flight have finished (Fastify waits for them); commit what they queued,
    // project it, checkpoint, then close.
    health.stop();
    await writer.drain();
    await audit.idle();
    await pipeline.stop();
    await pool.end();
  });
  return { app, pool, writer, pipeline };
}

export interface RunningRehab extends RehabApp {
  url: string;
  close(): Promise<void>;
}

export async function startRehab(o: RehabOptions & { port?: number; host?: string }): Promise<RunningRehab> {
  const r = await createRehabApp(o);
  const address = await r.app.listen({ port: o.port ?? 0, host: o.host ?? '127.0.0.1' });
  return { ...r, url: address, close: () => r.app.close() };
}
