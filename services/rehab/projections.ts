/**
 * The projections and how events change them. A run of events (in stream order) is folded in
 * memory into per-row deltas, then written by one SQL statement together with the processors'
 * checkpoints, so a run of events is projected entirely or not at all, and exactly once.
 * The same fold serves the pipeline, the settling after a restart and `rehab:rebuild`.
 */
import type pg from 'pg';
import { isSessionStart, SEVERITIES } from './events.ts';

export const PIPELINE_LOCK = 4_211_002;

export interface LogEvent {
  position: number;
  event_id: string;
  kind: string;
  subject_id: string;
  occurred_at: Date;
  /** When the log committed it, ms since the epoch. */
  recorded_ms: number;
  body: Record<string, unknown>;
}

export const SELECT_EVENTS = `SELECT position, event_id, kind, subject_id, occurred_at,
  (extract(epoch FROM recorded_at) * 1000)::float8 AS recorded_ms, body FROM events`;

export function toLogEvent(r: Record<string, unknown>): LogEvent {
  return {
    position: Number(r.position),
    event_id: r.event_id as string,
    kind: r.kind as string,
    subject_id: r.subject_id as string,
    occurred_at: r.occurred_at as Date,
    recorded_ms: Number(r.recorded_ms),
    body: r.body as Record<string, unknown>,
  };
}

/** FNV-1a: the processor partition of a subject, stable across restarts. */
export function partitionOf(subject: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < subject.length; i++) {
    h ^= subject.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

const micro = (v: unknown) => Math.round(Number(v) * 1_000_000);
const iso = (v: unknown) => new Date(v as string).toISOString();

interface SessionDelta {
  subject_id: string;
  session_id: string;
  prescribed_exercise_id?: string;
  started_at?: string;
  prescribed_reps?: number;
  ended_at?: string;
  completion_status?: string;
  completed_reps?: number;
  overall_quality_micro?: number;
  rep_count: number;
  quality_micro_sum: number;
  last_position: number;
}

interface PatientDelta {
  subject_id: string;
  events: number;
  sessions_started: number;
  sessions_completed: number;
  reps: number;
  feedback: number;
  alerts: number;
  max_alert_severity: number;
  last_event_at: string;
  last_position: number;
}

interface MinuteDelta {
  subject_id: string;
  minute: string;
  reps: number;
  quality_micro_sum: number;
  confidence_micro_sum: number;
  duration_ms_sum: number;
}

export interface Deltas {
  sessions: Map<string, SessionDelta>;
  minutes: Map<string, MinuteDelta>;
  patients: Map<string, PatientDelta>;
  alerts: object[];
}

export function emptyDeltas(): Deltas {
  return { sessions: new Map(), minutes: new Map(), patients: new Map(), alerts: [] };
}

/** Folds events (in stream order) into `d`. */
export function fold(d: Deltas, events: LogEvent[]): Deltas {
  for (const e of events) {
    const b = e.body;
    const occurred = e.occurred_at.toISOString();
    let p = d.patients.get(e.subject_id);
    if (!p) {
      p = {
        subject_id: e.subject_id,
        events: 0,
        sessions_started: 0,
        sessions_completed: 0,
        reps: 0,
        feedback: 0,
        alerts: 0,
        max_alert_severity: 0,
        last_event_at: occurred,
        last_position: 0,
      };
      d.patients.set(e.subject_id, p);
    }
    p.events++;
    if (occurred > p.last_event_at) p.last_event_at = occurred;
    p.last_position = Math.max(p.last_position, e.position);

    const session = () => {
      const key = `${e.subject_id}\u0000${b.session_id}`;
      let s = d.sessions.get(key);
      if (!s) {
        s = {
          subject_id: e.subject_id,
          session_id: b.session_id as string,
          rep_count: 0,
          quality_micro_sum: 0,
          last_position: 0,
        };
        d.sessions.set(key, s);
      }
      s.last_position = Math.max(s.last_position, e.position);
      return s;
    };

    switch (e.kind) {
      case 'exercise_session': {
        const s = session();
        if (isSessionStart(b)) {
          s.prescribed_exercise_id = b.prescribed_exercise_id as string;
          s.started_at = iso(b.start_time);
          s.prescribed_reps = b.prescribed_reps as number;
          p.sessions_started++;
        } else {
          s.ended_at = iso(b.end_time);
          s.completion_status = b.completion_status as string;
          s.completed_reps = b.completed_reps as number;
          s.overall_quality_micro = micro(b.overall_quality);
          if (b.completion_status === 'completed') p.sessions_completed++;
        }
        break;
      }
      case 'rep_observation': {
        const s = session();
        s.rep_count++;
        s.quality_micro_sum += micro(b.quality_score);
        p.reps++;
        const minute = new Date(Math.floor(e.occurred_at.getTime() / 60_000) * 60_000).toISOString();
        const key = `${e.subject_id}\u0000${minute}`;
        let m = d.minutes.get(key);
        if (!m) {
          m = {
            subject_id: e.subject_id,
            minute,
            reps: 0,
            quality_micro_sum: 0,
            confidence_micro_sum: 0,
            duration_ms_sum: 0,
          };
          d.minutes.set(key, m);
        }
        m.reps++;
        m.quality_micro_sum += micro(b.quality_score);
        m.confidence_micro_sum += micro(b.confidence_rating);
        m.duration_ms_sum += b.duration_ms as number;
        break;
      }
      case 'feedback':
        p.feedback++;
        break;
      case 'alert': {
        p.alerts++;
        const rank = SEVERITIES.indexOf(b.severity as (typeof SEVERITIES)[number]) + 1;
        p.max_alert_severity = Math.max(p.max_alert_severity, rank);
        d.alerts.push({
          event_id: e.event_id,
          position: e.position,
          subject_id: e.subject_id,
          alert_type: b.alert_type,
          severity: b.severity,
          threshold_value: b.threshold_value,
          actual_value: b.actual_value,
          occurred_at: occurred,
        });
        break;
      }
      default:
        break; // consent: state kept by the writer; counted in the patient's events only
    }
  }
  return d;
}

const APPLY_SQL = `
WITH s AS (
  INSERT INTO proj_sessions AS t (subject_id, session_id, prescribed_exercise_id, started_at, prescribed_reps,
    ended_at, completion_status, completed_reps, overall_quality_micro, rep_count, quality_micro_sum, last_position)
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(subject_id text, session_id text, prescribed_exercise_id text,
    started_at timestamptz, prescribed_reps int, ended_at timestamptz, completion_status text, completed_reps int,
    overall_quality_micro bigint, rep_count int, quality_micro_sum bigint, last_position bigint)
  ON CONFLICT (subject_id, session_id) DO UPDATE SET
    prescribed_exercise_id = coalesce(EXCLUDED.prescribed_exercise_id, t.prescribed_exercise_id),
    started_at = coalesce(EXCLUDED.started_at, t.started_at),
    prescribed_reps = coalesce(EXCLUDED.prescribed_reps, t.prescribed_reps),
    ended_at = coalesce(EXCLUDED.ended_at, t.ended_at),
    completion_status = coalesce(EXCLUDED.completion_status, t.completion_status),
    completed_reps = coalesce(EXCLUDED.completed_reps, t.completed_reps),
    overall_quality_micro = coalesce(EXCLUDED.overall_quality_micro, t.overall_quality_micro),
    rep_count = t.rep_count + EXCLUDED.rep_count,
    quality_micro_sum = t.quality_micro_sum + EXCLUDED.quality_micro_sum,
    last_position = greatest(t.last_position, EXCLUDED.last_position)
),
q AS (
  INSERT INTO proj_quality_minutes AS t
  SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(subject_id text, minute timestamptz, reps int,
    quality_micro_sum bigint, confidence_micro_sum bigint, duration_ms_sum bigint)
  ON CONFLICT (subject_id, minute) DO UPDATE SET
    reps = t.reps + EXCLUDED.reps,
    quality_micro_sum = t.quality_micro_sum + EXCLUDED.quality_micro_sum,
    confidence_micro_sum = t.confidence_micro_sum + EXCLUDED.confidence_micro_sum,
    duration_ms_sum = t.duration_ms_sum + EXCLUDED.duration_ms_sum
),
p AS (
  INSERT INTO proj_patients AS t
  SELECT * FROM jsonb_to_recordset($3::jsonb) AS x(subject_id text, events bigint, sessions_started int,
    sessions_completed int, reps bigint, feedback int, alerts int, max_alert_severity int,
    last_event_at timestamptz, last_position bigint)
  ON CONFLICT (subject_id) DO UPDATE SET
    events = t.events + EXCLUDED.events,
    sessions_started = t.sessions_started + EXCLUDED.sessions_started,
    sessions_completed = t.sessions_completed + EXCLUDED.sessions_completed,
    reps = t.reps + EXCLUDED.reps,
    feedback = t.feedback + EXCLUDED.feedback,
    alerts = t.alerts + EXCLUDED.alerts,
    max_alert_severity = greatest(t.max_alert_severity, EXCLUDED.max_alert_severity),
    last_event_at = greatest(t.last_event_at, EXCLUDED.last_event_at),
    last_position = greatest(t.last_position, EXCLUDED.last_position)
),
a AS (
  INSERT INTO proj_alerts
  SELECT * FROM jsonb_to_recordset($4::jsonb) AS x(event_id uuid, position bigint, subject_id text,
    alert_type text, severity text, threshold_value float8, actual_value float8, occurred_at timestamptz)
),
c AS (
  UPDATE projector_checkpoints AS t SET position = greatest(t.position, x.position)
  FROM jsonb_to_recordset($5::jsonb) AS x(partition int, position bigint)
  WHERE t.partition = x.partition
)
SELECT 1`;

/** Writes `d` and the given checkpoints in one statement (one transaction unless inside one). */
export async function applyDeltas(
  db: pg.Pool | pg.PoolClient | pg.Client,
  d: Deltas,
  checkpoints: Array<{ partition: number; position: number }>,
): Promise<void> {
  await db.query({
    name: 'rehab_apply',
    text: APPLY_SQL,
    values: [
      JSON.stringify([...d.sessions.values()]),
      JSON.stringify([...d.minutes.values()]),
      JSON.stringify([...d.patients.values()]),
      JSON.stringify(d.alerts),
      JSON.stringify(checkpoints),
    ],
  });
}

export const PROJECTION_TABLES = ['proj_sessions', 'proj_quality_minutes', 'proj_patients', 'proj_alerts'];

/** Every projection row, in a fixed order: for comparing an incremental run with a rebuild. */
export async function snapshotProjections(db: pg.Pool | pg.Client): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of PROJECTION_TABLES) {
    const { rows } = await db.query(`SELECT to_jsonb(t) AS r FROM ${t} t ORDER BY 1`);
    out[t] = rows.map((r) => r.r);
  }
  return out;
}

/** Sets every partition's checkpoint to `position` under `partitions` partitions. */
export async function resetCheckpoints(
  db: pg.PoolClient | pg.Client,
  partitions: number,
  position: number,
): Promise<void> {
  await db.query('DELETE FROM projector_checkpoints');
  await db.query(
    'INSERT INTO projector_checkpoints (partition, position) SELECT g, $2 FROM generate_series(0, $1 - 1) g',
    [partitions, position],
  );
  await db.query(
    'INSERT INTO projector_state (id, partitions) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET partitions = $1',
    [partitions],
  );
}

/**
 * Rebuilds every projection from the log in one transaction; refuses while a pipeline runs
 * (it holds PIPELINE_LOCK). Returns the number of events replayed.
 */
export async function rebuildProjections(
  db: pg.Client,
  partitions: number,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  await db.query('BEGIN');
  try {
    const { rows: lock } = await db.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [PIPELINE_LOCK]);
    if (!lock[0].ok)
      throw new Error('the rehab service is running its pipeline on this database; stop it first');
    const { rows: total } = await db.query(
      'SELECT count(*)::int AS n, coalesce(max(position), 0) AS max FROM events',
    );
    await db.query(`TRUNCATE ${PROJECTION_TABLES.join(', ')}`);
    let after = 0;
    let done = 0;
    for (;;) {
      const { rows } = await db.query(`${SELECT_EVENTS} WHERE position > $1 ORDER BY position LIMIT 10000`, [
        after,
      ]);
      if (rows.length === 0) break;
      const events = rows.map(toLogEvent);
      await applyDeltas(db, fold(emptyDeltas(), events), []);
      after = (events[events.length - 1] as LogEvent).position;
      done += events.length;
      onProgress?.(done, total[0].n);
    }
    await resetCheckpoints(db, partitions, Number(total[0].max));
    await db.query('COMMIT');
    return done;
  } catch (e) {
    await db.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
