/**
 * The projection read routes, each with its SQL: a patient's adherence and movement quality
 * over a window, and a therapist's work queue. Every read is audited before it is answered, and
 * names the stream position the projections had reached (`as_of_position`).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fail } from '../../shared/http.ts';
import { principal } from '../access.ts';
import type { RehabContext } from './context.ts';

const WINDOWS: Record<string, Record<string, string>> = {
  adherence: { '7d': '7 days', '14d': '14 days', '28d': '28 days' },
  quality: { '1h': '1 hour', '7d': '7 days', '14d': '14 days' },
};
const SEVERITY_NAMES = ['none', 'low', 'medium', 'high', 'critical'];

export function registerProjectionRoutes(c: RehabContext): void {
  const { app, pool, pipeline, assignments, audit } = c;

  /** The patient named by `patient_id`, when the caller may read them. */
  const readablePatient = async (req: FastifyRequest, reply: FastifyReply, action: string) => {
    const q = req.query as Record<string, string | undefined>;
    const patientId = q.patient_id;
    if (!patientId) {
      fail(reply, 400, 'bad_request', 'patient_id: required', { field: 'patient_id' });
      return undefined;
    }
    const p = principal(req);
    if (!(await assignments.mayRead(p, patientId))) {
      fail(reply, 404, 'not_found', 'no such patient');
      return undefined;
    }
    await audit.recordRead(p, action, patientId);
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

  app.get('/api/v1/projections/adherence', { onRequest: c.access.authenticated }, async (req, reply) => {
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

  app.get('/api/v1/projections/quality', { onRequest: c.access.authenticated }, async (req, reply) => {
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

  app.get('/api/v1/projections/work-queue', { onRequest: c.access.authenticated }, async (req, reply) => {
    const p = principal(req);
    const therapistId = (req.query as Record<string, string | undefined>).therapist_id ?? p.id;
    if (p.role === 'device') return fail(reply, 403, 'forbidden', 'devices have no work queue');
    if (p.role === 'therapist' && therapistId !== p.id)
      return fail(reply, 403, 'forbidden', 'a therapist reads their own work queue');
    await audit.recordRead(p, `read_work_queue:${therapistId}`, null);
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
}
