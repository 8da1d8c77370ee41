-- The event log: append-only, one row per acknowledged event. `position` is the stream
-- position; the writer takes an advisory lock per transaction, so positions commit in order.
CREATE TABLE events (
  position    bigserial PRIMARY KEY,
  event_id    uuid NOT NULL UNIQUE,
  kind        text NOT NULL,
  subject_id  text NOT NULL,
  exercise_id text,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  body        jsonb NOT NULL,
  meta        jsonb NOT NULL
);
CREATE INDEX events_subject_position ON events (subject_id, position);

-- Consent state, written by the writer in the same transaction as the consent events.
CREATE TABLE consents (
  subject_id text NOT NULL,
  consent_id text NOT NULL,
  active     boolean NOT NULL,
  position   bigint NOT NULL,
  PRIMARY KEY (subject_id, consent_id)
);

-- Which therapist cares for which patient (seeded by the suite's setup).
CREATE TABLE care_assignments (
  therapist_id text NOT NULL,
  patient_id   text NOT NULL,
  PRIMARY KEY (therapist_id, patient_id)
);
CREATE INDEX care_assignments_patient ON care_assignments (patient_id);

-- Who read whose data, when.
CREATE TABLE audit_log (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL,
  actor_id   text NOT NULL,
  actor_role text NOT NULL,
  action     text NOT NULL,
  patient_id text
);

-- The pipeline: one checkpoint per processor partition, and the partition count they use.
CREATE TABLE projector_checkpoints (
  partition int PRIMARY KEY,
  position  bigint NOT NULL
);
CREATE TABLE projector_state (
  id         int PRIMARY KEY CHECK (id = 1),
  partitions int NOT NULL
);

-- Projections. Every value is a function of the log alone (no processing times), and quality
-- figures are kept in integer millionths, so that a rebuild gives exactly the same rows.
CREATE TABLE proj_sessions (
  subject_id             text NOT NULL,
  session_id             text NOT NULL,
  prescribed_exercise_id text,
  started_at             timestamptz,
  prescribed_reps        int,
  ended_at               timestamptz,
  completion_status      text,
  completed_reps         int,
  overall_quality_micro  bigint,
  rep_count              int NOT NULL DEFAULT 0,
  quality_micro_sum      bigint NOT NULL DEFAULT 0,
  last_position          bigint NOT NULL,
  PRIMARY KEY (subject_id, session_id)
);
CREATE INDEX proj_sessions_subject_started ON proj_sessions (subject_id, started_at);

CREATE TABLE proj_quality_minutes (
  subject_id           text NOT NULL,
  minute               timestamptz NOT NULL,
  reps                 int NOT NULL,
  quality_micro_sum    bigint NOT NULL,
  confidence_micro_sum bigint NOT NULL,
  duration_ms_sum      bigint NOT NULL,
  PRIMARY KEY (subject_id, minute)
);

CREATE TABLE proj_patients (
  subject_id         text PRIMARY KEY,
  events             bigint NOT NULL,
  sessions_started   int NOT NULL,
  sessions_completed int NOT NULL,
  reps               bigint NOT NULL,
  feedback           int NOT NULL,
  alerts             int NOT NULL,
  max_alert_severity int NOT NULL,
  last_event_at      timestamptz,
  last_position      bigint NOT NULL
);

CREATE TABLE proj_alerts (
  event_id        uuid PRIMARY KEY,
  position        bigint NOT NULL,
  subject_id      text NOT NULL,
  alert_type      text NOT NULL,
  severity        text NOT NULL,
  threshold_value double precision NOT NULL,
  actual_value    double precision NOT NULL,
  occurred_at     timestamptz NOT NULL
);
CREATE INDEX proj_alerts_subject ON proj_alerts (subject_id, position);
CREATE INDEX proj_alerts_type ON proj_alerts (alert_type, position);
