/**
 * The patient stream read route and its SQL: a patient's events from the log in stream order,
 * a page at a time (`after` a position, at most `limit`). Audited before it is answered.
 */
import { fail } from '../../shared/http.ts';
import { integerParameter } from '../../shared/parameters.ts';
import { principal } from '../access.ts';
import type { RehabContext } from './context.ts';

export function registerStreamRoutes(c: RehabContext): void {
  const { app, pool, assignments, audit } = c;

  app.get<{ Params: { id: string } }>(
    '/api/v1/patients/:id/stream',
    { onRequest: c.access.authenticated },
    async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      const limit = integerParameter(q.limit, 100, 1, 1000);
      if (limit === undefined)
        return fail(reply, 400, 'bad_request', 'limit: expected an integer from 1 to 1000', {
          field: 'limit',
        });
      const after = integerParameter(q.after, 0, 0);
      if (after === undefined)
        return fail(
          reply,
          400,
          'bad_request',
          `after: expected a stream position (decimal digits, 0 to ${Number.MAX_SAFE_INTEGER})`,
          { field: 'after' },
        );
      const p = principal(req);
      if (!(await assignments.mayRead(p, req.params.id)))
        return fail(reply, 404, 'not_found', 'no such patient');
      await audit.recordRead(p, 'read_stream', req.params.id);
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
}
