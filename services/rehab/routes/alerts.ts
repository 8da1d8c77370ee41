/**
 * The alerts read route and its SQL: the latest alerts, of one patient the caller may read, or
 * of every patient in the caller's scope (a device its own, a therapist their patients', an
 * admin all). Audited before it is answered.
 */
import { fail } from '../../shared/http.ts';
import { principal } from '../access.ts';
import type { RehabContext } from './context.ts';

export function registerAlertRoutes(c: RehabContext): void {
  const { app, pool, pipeline, assignments, audit } = c;

  app.get('/api/v1/alerts', { onRequest: c.access.authenticated }, async (req, reply) => {
    const p = principal(req);
    const q = req.query as Record<string, string | undefined>;
    let scope: string[] | null = null;
    if (q.patient_id) {
      if (!(await assignments.mayRead(p, q.patient_id)))
        return fail(reply, 404, 'not_found', 'no such patient');
    } else if (p.role === 'device') scope = [p.id];
    else if (p.role === 'therapist') scope = [...(await assignments.patientsOf(p.id))];
    await audit.recordRead(p, 'read_alerts', q.patient_id ?? null);
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
}
