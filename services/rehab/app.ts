/**
 * The rehab service: patient devices post exercise events; therapists read adherence, quality,
 * alerts and a work queue, projected from the event log by the pipeline. Fastify 5 and pg.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import pg from 'pg';
import { accessCheck } from '../shared/access.ts';
import { DatabaseHealth, isDatabaseUnavailable } from '../shared/database-health.ts';
import {
  clientErrorHandler,
  fail,
  installErrorHandling,
  installSafetyHeaders,
  installStrictJson,
  unavailable,
} from '../shared/http.ts';
import { runMigrations } from '../shared/migrate.ts';
import { type RateLimit, RateLimiter } from '../shared/rate-limit.ts';
import { type RehabPrincipal, RehabTokenVerifier, rehabSecret } from './auth.ts';
import { type FieldError, type ValidEvent, validateBatch, validateEvent } from './events.ts';
import { GroupCommit } from './group-commit.ts';
import { RehabMetrics } from './metrics.ts';
import { Pipeline, type PipelineOptions } from './pipeline.ts';
import { type Ack, ConsentError, EventWriter, type WriterOptions } from './writer.ts';

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

declare module 'fastify' {
  interface FastifyRequest {
    rehab?: RehabPrincipal;
  }
}

const WINDOWS: Record<string, Record<string, string>> = {
  adherence: { '7d': '7 days', '14d': '14 days', '28d': '28 days' },
  quality: { '1h': '1 hour', '7d': '7 days', '14d': '14 days' },
};
const SEVERITY_NAMES = ['none', 'low', 'medium', 'high', 'critical'];

interface AuditEntry {
  actorId: string;
  role: string;
  action: string;
  patientId: string | null;
  at: string;
  done(error?: Error): void;
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
  const maxBacklog = o.maxBacklog ?? 50_000;
  const maxPending = o.maxPendingWrites ?? 20_000;
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

  const audit = new GroupCommit<AuditEntry>(
    async (group) => {
      try {
        await pool.query(
          `INSERT INTO audit_log (at, actor_id, actor_role, action, patient_id)
           SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(at timestamptz, actor_id text, actor_role text, action text, patient_id text)`,
          [
            JSON.stringify(
              group.map((a) => ({
                at: a.at,
                actor_id: a.actorId,
                actor_role: a.role,
                action: a.action,
                patient_id: a.patientId,
              })),
            ),
          ],
        );
        for (const a of group) a.done();
      } catch (e) {
        for (const a of group) a.done(e as Error);
      }
    },
    () => 1,
    2000,
  );
  /** Writes who read whose data; the answer waits until the record is committed. */
  const recordRead = (p: RehabPrincipal, action: string, patientId: string | null) =>
    new Promise<void>((resolve, reject) =>
      audit.push({
        actorId: p.id,
        role: p.role,
        action,
        patientId,
        at: new Date().toISOString(),
        done: (e) => (e ? reject(e) : resolve()),
      }),
    );

  const verifier = new RehabTokenVerifier(o.secret ?? rehabSecret());
  const limiter = o.rateLimit ? new RateLimiter(o.rateLimit) : undefined;
  const assignments = new Map<string, { at: number; patients: Set<string> }>();
  const patientsOf = async (therapist: string): Promise<Set<string>> => {
    const hit = assignments.get(therapist);
    if (hit && Date.now() - hit.at < 5000) return hit.patients;
    const { rows } = await pool.query({
      name: 'rehab_assignments',
      text: 'SELECT patient_id FROM care_assignments WHERE therapist_id = $1',
      values: [therapist],
    });
    const patients = new Set(rows.map((r) => r.patient_id as string));
    if (assignments.size > 10_000) assignments.clear();
    assignments.set(therapist, { at: Date.now(), patients });
    return patients;
  };
  const mayRead = async (p: RehabPrincipal, patientId: string): Promise<boolean> => {
    if (p.role === 'admin') return true;
    if (p.role === 'device') return p.id === patientId;
    return (await patientsOf(p.id)).has(patientId);
  };

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, return503OnClosing: true, clientErrorHandler });
  installStrictJson(app);
  installSafetyHeaders(app);
  installErrorHandling(app, 'rehab', health, log);
  app.addHook('onResponse', async (req, reply) => {
    metrics.countRequest(req.routeOptions.url ?? 'unknown', req.method, reply.statusCode);
  });

  const access = accessCheck({
    verifier,
    limiter,
    sender: (p) => `${p.role}:${p.id}`,
    onRateLimited: () => metrics.rateLimited++,
  });
  const authenticate = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = await access(req, reply);
    if (!p) return reply;
    req.rehab = p;
  };
  /** The pipeline's inner state and the service's figures are for its operators, not for devices. */
  const adminOnly = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = await access(req, reply);
    if (!p) return reply;
    if (p.role !== 'admin')
      return fail(reply, 403, 'forbidden', 'only admins read the pipeline and the metrics');
    req.rehab = p;
  };
  const principal = (req: FastifyRequest) => req.rehab as RehabPrincipal;

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
    const pressure = writer.pending >= maxPending || pipeline.backlog >= maxBacklog;
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
        max_backlog: maxBacklog,
        max_pending_writes: maxPending,
        rate_limit: o.rateLimit ? `${o.rateLimit.max}/${o.rateLimit.windowMs / 1000}s` : 'off',
      },
      ...(pipeline.lastError ? { last_error: pipeline.lastError } : {}),
    };
  };

  app.get('/metrics', { onRequest: adminOnly }, async (_req, reply) => {
    reply.type('text/plain; version=0.0.4');
    return metrics.render(status());
  });

  app.get('/api/v1/pipeline/status', { onRequest: adminOnly }, async () => status());

  const ingest = async (reply: FastifyReply, p: RehabPrincipal, events: ValidEvent[], paths: string[]) => {
    if (p.role === 'therapist')
      return fail(reply, 403, 'forbidden', 'therapists read; devices and admins post');
    if (p.role === 'device') {
      const i = events.findIndex((e) => e.subjectId !== p.id);
      if (i >= 0) {
        const at = paths[i] ? `${paths[i]}.subject_id` : 'subject_id';
        return fail(reply, 403, 'forbidden', `${at}: a device posts for its own subject only`, { path: at });
      }
    }
    if (writer.pending + events.length > maxPending || pipeline.backlog >= maxBacklog) {
      metrics.backpressure++;
      reply.header('retry-after', '1');
      return fail(reply, 429, 'backpressure', 'the pipeline is behind; retry', {
        backlog: pipeline.backlog,
        in_flight_writes: writer.pending,
      });
    }
    let acks: Ack[];
    try {
      acks = await writer.write(events, paths);
    } catch (e) {
      if (e instanceof ConsentError) {
        return fail(reply, 403, 'consent_required', `${e.path}: ${e.message}`, { path: e.path });
      }
      throw e;
    }
    for (const e of events) metrics.countEvent(e.kind);
    return reply.code(201).send(acks.length === 1 && paths[0] === '' ? acks[0] : { events: acks });
  };

  const invalid = (reply: FastifyReply, errors: FieldError[]) =>
    fail(reply, 422, 'validation', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });

  app.post('/api/v1/events', { onRequest: authenticate }, async (req, reply) => {
    const r = validateEvent(req.body);
    if (r.errors) return invalid(reply, r.errors);
    return ingest(reply, principal(req), [r.event], ['']);
  });

  app.post(
    '/api/v1/events/batch',
    { onRequest: authenticate, bodyLimit: 4 * 1024 * 1024 },
    async (req, reply) => {
      const r = validateBatch(req.body);
      if ('errors' in r) return invalid(reply, r.errors);
      return ingest(
        reply,
        principal(req),
        r.events,
        r.events.map((_, i) => `events[${i}]`),
      );
    },
  );

  /** The patient named by `patient_id`, when the caller may read them. */
  const readablePatient = async (req: FastifyRequest, reply: FastifyReply, action: string) => {
    const q = req.query as Record<string, string | undefined>;
    const patientId = q.patient_id;
    if (!patientId) {
      fail(reply, 400, 'bad_request', 'patient_id: required', { field: 'patient_id' });
      return undefined;
    }
    const p = principal(req);
    if (!(await mayRead(p, patientId))) {
      fail(reply, 404, 'not_found', 'no such patient');
      return undefined;
    }
    await recordRead(p, action, patientId);
    return patientId;
  };
  const windowOf = (req: FastifyRequest, reply: FastifyReply, kind: string, fallback: string) => {
    const w = (req.query as Record<string, string | undefined>).window ?? fallback;
    const interval = WINDOWS[kind]?.[w];
    if (!interval) {
      fail(
        reply,
        400,
        'bad_request',
        `window: expected one of ${Object.keys(WINDOWS[kind] ?? {}).join(', ')}`,
        {
          field: 'window',
        },
      );
      return undefined;
    }
    return { window: w, interval };
  };

  app.get('/api/v1/projections/adherence', { onRequest: authenticate }, async (req, reply) => {
    const w = windowOf(req, reply, 'adherence', '7d');
    if (!w) return reply;
    const patientId = await readablePatient(req, reply, 'read_adherence');
    if (!patientId) return reply;
    const asOf = pipeline.lastProjectedPosition;
    const { rows } = await pool.query({
      name: 'rehab_adherence',
      text: `SELECT count(*)::int AS started,
               count(*) FILTER (WHERE completion_status = 'completed')::int AS completed,
               coalesce(sum(prescribed_reps), 0)::int AS prescribed_reps,
               coalesce(sum(completed_reps), 0)::int AS completed_reps,
               coalesce(sum(rep_count), 0)::int AS reps_observed
             FROM proj_sessions WHERE subject_id = $1 AND started_at >= now() - $2::interval`,
      values: [patientId, w.interval],
    });
    const r = rows[0];
    return {
      patient_id: patientId,
      window: w.window,
      as_of_position: asOf,
      sessions_started: r.started,
      sessions_completed: r.completed,
      prescribed_reps: r.prescribed_reps,
      completed_reps: r.completed_reps,
      reps_observed: r.reps_observed,
      adherence_rate: r.started > 0 ? r.completed / r.started : null,
      rep_completion_rate: r.prescribed_reps > 0 ? r.completed_reps / r.prescribed_reps : null,
    };
  });

  app.get('/api/v1/projections/quality', { onRequest: authenticate }, async (req, reply) => {
    const w = windowOf(req, reply, 'quality', '7d');
    if (!w) return reply;
    const patientId = await readablePatient(req, reply, 'read_quality');
    if (!patientId) return reply;
    const asOf = pipeline.lastProjectedPosition;
    const { rows } = await pool.query({
      name: 'rehab_quality',
      text: `SELECT coalesce(sum(reps), 0)::int AS reps, coalesce(sum(quality_micro_sum), 0)::float8 AS q,
               coalesce(sum(confidence_micro_sum), 0)::float8 AS c, coalesce(sum(duration_ms_sum), 0)::float8 AS d
             FROM proj_quality_minutes WHERE subject_id = $1 AND minute >= date_trunc('minute', now() - $2::interval)`,
      values: [patientId, w.interval],
    });
    const r = rows[0];
    const avg = (sum: number, scale = 1) => (r.reps > 0 ? sum / r.reps / scale : null);
    return {
      patient_id: patientId,
      window: w.window,
      as_of_position: asOf,
      reps: r.reps,
      avg_quality_score: avg(r.q, 1_000_000),
      avg_confidence_rating: avg(r.c, 1_000_000),
      avg_duration_ms: avg(r.d),
    };
  });

  app.get('/api/v1/projections/work-queue', { onRequest: authenticate }, async (req, reply) => {
    const p = principal(req);
    const therapistId = (req.query as Record<string, string | undefined>).therapist_id ?? p.id;
    if (p.role === 'device') return fail(reply, 403, 'forbidden', 'devices have no work queue');
    if (p.role === 'therapist' && therapistId !== p.id)
      return fail(reply, 403, 'forbidden', 'a therapist reads their own work queue');
    await recordRead(p, `read_work_queue:${therapistId}`, null);
    const asOf = pipeline.lastProjectedPosition;
    const { rows } = await pool.query({
      name: 'rehab_work_queue',
      text: `SELECT a.patient_id, coalesce(p.alerts, 0) AS alerts, coalesce(p.max_alert_severity, 0) AS severity,
               coalesce(p.sessions_started, 0) AS started, coalesce(p.sessions_completed, 0) AS completed,
               p.last_event_at
             FROM care_assignments a LEFT JOIN proj_patients p ON p.subject_id = a.patient_id
             WHERE a.therapist_id = $1
             ORDER BY coalesce(p.max_alert_severity, 0) DESC, p.last_event_at ASC NULLS FIRST, a.patient_id
             LIMIT 200`,
      values: [therapistId],
    });
    return {
      therapist_id: therapistId,
      as_of_position: asOf,
      items: rows.map((r) => {
        const reasons: string[] = [];
        if (r.severity > 0) reasons.push(`${r.alerts} alert(s), highest ${SEVERITY_NAMES[r.severity]}`);
        if (!r.last_event_at) reasons.push('no activity yet');
        else if (Date.now() - new Date(r.last_event_at).getTime() > 2 * 86_400_000)
          reasons.push('no activity for 2 days');
        if (r.started > 0 && r.completed / r.started < 0.5)
          reasons.push('fewer than half of sessions completed');
        return {
          patient_id: r.patient_id,
          priority: r.severity * 10 + (reasons.length > 0 ? 1 : 0),
          reasons,
          open_alerts: r.alerts,
          highest_severity: SEVERITY_NAMES[r.severity],
          sessions_started: r.started,
          sessions_completed: r.completed,
          last_event_at: r.last_event_at,
        };
      }),
    };
  });

  app.get('/api/v1/alerts', { onRequest: authenticate }, async (req, reply) => {
    const p = principal(req);
    const q = req.query as Record<string, string | undefined>;
    let scope: string[] | null = null;
    if (q.patient_id) {
      if (!(await mayRead(p, q.patient_id))) return fail(reply, 404, 'not_found', 'no such patient');
    } else if (p.role === 'device') scope = [p.id];
    else if (p.role === 'therapist') scope = [...(await patientsOf(p.id))];
    await recordRead(p, 'read_alerts', q.patient_id ?? null);
    const asOf = pipeline.lastProjectedPosition;
    const { rows } = await pool.query({
      name: 'rehab_alerts',
      text: `SELECT event_id, position AS stream_position, subject_id AS patient_id, alert_type, severity,
               threshold_value, actual_value, occurred_at
             FROM proj_alerts
             WHERE ($1::text IS NULL OR alert_type = $1) AND ($2::text IS NULL OR subject_id = $2)
               AND ($3::text[] IS NULL OR subject_id = ANY($3))
             ORDER BY position DESC LIMIT 500`,
      values: [q.alert_type ?? null, q.patient_id ?? null, scope],
    });
    return {
      as_of_position: asOf,
      alerts: rows.map((r) => ({ ...r, stream_position: Number(r.stream_position) })),
    };
  });

  app.get<{ Params: { id: string } }>(
    '/api/v1/patients/:id/stream',
    { onRequest: authenticate },
    async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      const limit = q.limit === undefined ? 100 : Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        return fail(reply, 400, 'bad_request', 'limit: expected an integer from 1 to 1000', {
          field: 'limit',
        });
      const after = q.after === undefined ? 0 : Number(q.after);
      if (!Number.isInteger(after) || after < 0)
        return fail(reply, 400, 'bad_request', 'after: expected a stream position (integer >= 0)', {
          field: 'after',
        });
      const p = principal(req);
      if (!(await mayRead(p, req.params.id))) return fail(reply, 404, 'not_found', 'no such patient');
      await recordRead(p, 'read_stream', req.params.id);
      const { rows } = await pool.query({
        name: 'rehab_stream',
        text: `SELECT position, event_id, kind, exercise_id, occurred_at, body, meta
             FROM events WHERE subject_id = $1 AND position > $2 ORDER BY position LIMIT $3`,
        values: [req.params.id, after, limit],
      });
      return {
        patient_id: req.params.id,
        events: rows.map((r) => ({
          event_id: r.event_id,
          stream_position: Number(r.position),
          kind: r.kind,
          exercise_id: r.exercise_id,
          timestamp: (r.occurred_at as Date).toISOString(),
          body: r.body,
          meta: r.meta,
        })),
      };
    },
  );

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

function quantiles(ring: { percentile(p: number): number | null; size: number }) {
  const r = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return {
    p50: r(ring.percentile(50)),
    p95: r(ring.percentile(95)),
    p99: r(ring.percentile(99)),
    samples: ring.size,
  };
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
