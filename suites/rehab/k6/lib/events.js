// The events a patient's device sends: a session's start, its reps, its completion, pain alerts.
import { pick } from './setting.js';

const phi = (p) => ({ phi: true, consent_id: p.consentId });

export const sessionStart = (p, session, reps) => ({
  kind: 'exercise_session',
  subject_id: p.id,
  exercise_id: 'knee-extension',
  body: {
    session_id: session,
    prescribed_exercise_id: 'knee-extension',
    start_time: new Date().toISOString(),
    prescribed_reps: reps,
    device_info: { model: 'simulated-tracker', firmware: '1.4.2' },
  },
  meta: phi(p),
});

export const repObservation = (p, session, n) => ({
  kind: 'rep_observation',
  subject_id: p.id,
  exercise_id: 'knee-extension',
  body: {
    session_id: session,
    rep_number: 1 + ((n - 1) % 1000),
    quality_score: ((n * 37) % 100) / 100,
    confidence_rating: 0.8 + ((n * 13) % 20) / 100,
    duration_ms: 2500 + ((n * 97) % 1500),
  },
  meta: phi(p),
});

export const sessionCompletion = (p, session, reps) => ({
  kind: 'exercise_session',
  subject_id: p.id,
  exercise_id: 'knee-extension',
  body: {
    session_id: session,
    end_time: new Date().toISOString(),
    completion_status: 'completed',
    completed_reps: reps,
    overall_quality: 0.82,
  },
  meta: phi(p),
});

export const painAlert = (p, n) => ({
  kind: 'alert',
  subject_id: p.id,
  body: {
    alert_type: 'pain_report',
    severity: pick(['low', 'medium', 'high', 'critical'], n),
    threshold_value: 5,
    actual_value: 6 + (n % 4),
  },
  meta: phi(p),
});
