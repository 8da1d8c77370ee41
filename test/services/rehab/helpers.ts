/** The rehab service on a loopback port over a real PostgreSQL, and small clients for its API. */
import type pg from 'pg';
import { type RehabOptions, type RunningRehab, startRehab } from '../../../services/rehab/app.ts';
import { type RehabRole, signRehabToken } from '../../../services/rehab/auth.ts';
import { recreateDatabase } from '../../../services/shared/database.ts';
import type { PostgresHandle } from '../../../services/shared/postgres.ts';

export const SECRET = new TextEncoder().encode('test-secret-of-the-rehab-service-0123456789');

export function token(role: RehabRole, id: string): Promise<string> {
  return signRehabToken(SECRET, { id, role });
}

export async function freshDatabase(server: PostgresHandle, name: string): Promise<string> {
  const url = server.databaseUrl(name);
  await recreateDatabase(url);
  return url;
}

export function startService(url: string, options: Partial<RehabOptions> = {}): Promise<RunningRehab> {
  return startRehab({ databaseUrl: url, secret: SECRET, ...options });
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export async function call(
  base: string,
  method: string,
  path: string,
  auth: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...headers,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(auth ? { authorization: `Bearer ${auth}` } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed };
}

export const consentGrant = (subject: string, consentId = `consent-${subject}`) => ({
  kind: 'consent',
  subject_id: subject,
  body: { action: 'grant', consent_id: consentId },
  meta: { phi: false },
});

export const sessionStart = (subject: string, session: string, reps = 12) => ({
  kind: 'exercise_session',
  subject_id: subject,
  body: {
    session_id: session,
    prescribed_exercise_id: 'knee-ext',
    start_time: new Date().toISOString(),
    prescribed_reps: reps,
    device_info: { model: 'test-device' },
  },
  meta: { phi: true, consent_id: `consent-${subject}` },
});

export const rep = (subject: string, session: string, n: number, quality = 0.5 + (n % 5) / 10) => ({
  kind: 'rep_observation',
  subject_id: subject,
  body: {
    session_id: session,
    rep_number: n,
    quality_score: quality,
    confidence_rating: 0.9,
    duration_ms: 3000 + n,
  },
  meta: { phi: true, consent_id: `consent-${subject}` },
});

export const completion = (subject: string, session: string, reps: number) => ({
  kind: 'exercise_session',
  subject_id: subject,
  body: {
    session_id: session,
    end_time: new Date().toISOString(),
    completion_status: 'completed',
    completed_reps: reps,
    overall_quality: 0.8,
  },
  meta: { phi: true, consent_id: `consent-${subject}` },
});

export const alert = (subject: string, severity = 'high') => ({
  kind: 'alert',
  subject_id: subject,
  body: { alert_type: 'pain_report', severity, threshold_value: 5, actual_value: 8 },
  meta: { phi: true, consent_id: `consent-${subject}` },
});

/** Projection rows and log counts that exactly-once must keep equal. */
export async function logCounts(db: pg.Pool | pg.Client) {
  const { rows } = await db.query(
    `SELECT count(*)::int AS events, count(DISTINCT event_id)::int AS distinct_ids,
            (SELECT coalesce(sum(events), 0)::int FROM proj_patients) AS projected,
            count(*) FILTER (WHERE kind = 'rep_observation')::int AS reps,
            (SELECT coalesce(sum(rep_count), 0)::int FROM proj_sessions) AS projected_reps
     FROM events`,
  );
  return rows[0] as {
    events: number;
    distinct_ids: number;
    projected: number;
    reps: number;
    projected_reps: number;
  };
}
