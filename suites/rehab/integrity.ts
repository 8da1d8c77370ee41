/**
 * The rehab service's invariants as queries whose rows are violations. The log is the truth;
 * the projections must account for each of its events exactly once.
 */

/** A subject whose projection counts more events than the log holds: an event projected twice. */
export const PROJECTION_AHEAD_SQL = `
SELECT p.subject_id, p.events AS projected, coalesce(l.n, 0) AS logged
FROM proj_patients p
LEFT JOIN (SELECT subject_id, count(*) AS n FROM events GROUP BY subject_id) l USING (subject_id)
WHERE p.events > coalesce(l.n, 0)
ORDER BY p.subject_id LIMIT 20`;

/** Once the pipeline has caught up: per subject, projected events and reps equal the log's. */
export const PROJECTION_MISMATCH_SQL = `
WITH l AS (
  SELECT subject_id, count(*) AS n, count(*) FILTER (WHERE kind = 'rep_observation') AS reps
  FROM events GROUP BY subject_id
)
SELECT coalesce(l.subject_id, p.subject_id) AS subject_id,
       coalesce(l.n, 0) AS logged, coalesce(p.events, 0) AS projected,
       coalesce(l.reps, 0) AS logged_reps, coalesce(p.reps, 0) AS projected_reps
FROM l FULL JOIN proj_patients p USING (subject_id)
WHERE coalesce(l.n, 0) <> coalesce(p.events, 0) OR coalesce(l.reps, 0) <> coalesce(p.reps, 0)
ORDER BY 1 LIMIT 20`;

/** Per session, the reps the projection counted equal the rep events in the log. */
export const SESSION_REPS_SQL = `
WITH r AS (
  SELECT subject_id, body->>'session_id' AS session_id, count(*) AS n
  FROM events WHERE kind = 'rep_observation' GROUP BY 1, 2
)
SELECT coalesce(r.subject_id, s.subject_id) AS subject_id, coalesce(r.session_id, s.session_id) AS session_id,
       coalesce(r.n, 0) AS logged_reps, coalesce(s.rep_count, 0) AS projected_reps
FROM r FULL JOIN proj_sessions s USING (subject_id, session_id)
WHERE coalesce(r.n, 0) <> coalesce(s.rep_count, 0)
ORDER BY 1, 2 LIMIT 20`;

/** A PHI event in the log whose consent_id names no consent of its subject. */
export const PHI_WITHOUT_CONSENT_SQL = `
SELECT e.position, e.subject_id, e.meta->>'consent_id' AS consent_id
FROM events e
WHERE e.meta->>'phi' = 'true'
  AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.subject_id = e.subject_id AND c.consent_id = e.meta->>'consent_id')
ORDER BY e.position LIMIT 20`;

/** Events per subject now (for the baseline before a run and the reconciliation after it). */
export const EVENTS_PER_SUBJECT_SQL = 'SELECT subject_id, count(*)::int AS n FROM events GROUP BY subject_id';

export const AUDIT_HIGH_WATER_SQL = 'SELECT coalesce(max(id), 0)::bigint AS id FROM audit_log';
