// What the rehab scripts' virtual users do: a patient's device session, a therapist's round, an
// admin's look, the 70/20/10 mix of the three, and the pipeline monitor; and setup(), which
// checks the service before any load, as the TypeScript plans' setup does.
import { check, group, sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Gauge, Trend } from 'k6/metrics';
import { painAlert, repObservation, sessionCompletion, sessionStart } from './events.js';
import { headersFor, measureProjectionLag, postEvent, read } from './requests.js';
import { BASE_URL, config, pick, seed } from './setting.js';

// Each reading of the pipeline's batch latency p95 is a sample of a trend, so that a threshold
// can judge the worst one (k6 judges a gauge by its last value only).
const batchLatency = new Trend('pipeline_batch_latency_p95', true);
const queueDepth = new Gauge('pipeline_queue_depth');
const backlog = new Gauge('pipeline_backlog');

export const patientFor = (i) => pick(seed.patients, i);
export const therapistFor = (i) => pick(seed.therapists, i);

/**
 * The service answers, accepts the admin token, and says whether its rate limit is off. Its
 * return value reaches every VU: the run's id, which keeps this run's sessions apart.
 */
export function rehabSetup() {
  const health = http.get(`${BASE_URL}/health`, { tags: { name: '/health' } });
  if (health.status !== 200)
    throw new Error(
      `the rehab service at ${BASE_URL} is not healthy (GET /health: ${health.status || health.error}): start it with \`npm run serve:rehab\` or set BASE_URL`,
    );
  const status = http.get(`${BASE_URL}/api/v1/pipeline/status`, {
    headers: headersFor(seed.adminToken),
    tags: { name: '/api/v1/pipeline/status' },
  });
  if (status.status !== 200)
    throw new Error(
      `GET /api/v1/pipeline/status answered ${status.status}: the admin token is not accepted (run the setup again, or set AUTH_TOKEN to an admin token)`,
    );
  const limit = status.json('config.rate_limit');
  if (limit && limit !== 'off')
    console.warn(
      `the service limits each token to ${limit}: its 429s count as rate limiting; start it with REHAB_RATE_LIMIT=off`,
    );
  return { runId: Date.now().toString(36) };
}

/**
 * One exercise session from patient `p`'s device: the start, 10-15 reps a few ms apart, now and
 * then a pain alert, the completion; then the device reads its adherence until the completion
 * shows (projection lag). Each acknowledged position must be above the previous one.
 */
export function deviceSession(data, p, n) {
  group('device session', () => {
    const { min, max } = config.repsPerSession;
    const reps = min + (n % (max - min + 1));
    const session = `${data.runId}-${exec.scenario.name}-${n}`;
    const start = postEvent(p, sessionStart(p, session, reps));
    if (!start) return;
    const positions = [start.stream_position];
    for (let r = 1; r <= reps; r++) {
      sleep(config.repIntervalMs / 1000);
      const ack = postEvent(p, repObservation(p, session, r + n));
      if (ack) positions.push(ack.stream_position);
    }
    if (n % config.alertEverySessions === 0) postEvent(p, painAlert(p, n));
    const done = postEvent(p, sessionCompletion(p, session, reps));
    if (!done) return;
    const ackedAt = Date.now();
    positions.push(done.stream_position);
    check(positions, {
      'stream positions rise within a session': (ps) => ps.every((x, i) => i === 0 || x > ps[i - 1]),
    });
    measureProjectionLag(p, done.stream_position, ackedAt);
  });
}

/** A therapist's round: the work queue, then one patient's adherence, quality and event stream. */
export function therapistRound(t, n) {
  group('therapist round', () => {
    const queue = read(
      `/api/v1/projections/work-queue?therapist_id=${t.id}`,
      t.token,
      '/api/v1/projections/work-queue',
    );
    check(queue, {
      'the work queue lists every assigned patient': (r) =>
        r.status === 200 && r.json('items').length === t.patients.length,
    });
    const patient = pick(t.patients, n);
    read(
      `/api/v1/projections/adherence?patient_id=${patient}&window=14d`,
      t.token,
      '/api/v1/projections/adherence',
    );
    read(
      `/api/v1/projections/quality?patient_id=${patient}&window=7d`,
      t.token,
      '/api/v1/projections/quality',
    );
    read(`/api/v1/patients/${patient}/stream?limit=50`, t.token, '/api/v1/patients/:id/stream');
  });
}

/** An admin's look: the pain alerts, and the pipeline. */
export function adminRound() {
  group('admin round', () => {
    read('/api/v1/alerts?alert_type=pain_report', seed.adminToken, '/api/v1/alerts');
    http.get(`${BASE_URL}/api/v1/pipeline/status`, {
      headers: headersFor(seed.adminToken),
      tags: { name: '/api/v1/pipeline/status' },
    });
  });
}

/** 70% patients, 20% therapists, 10% admins: exact over every 10 iterations of the scenario. */
export function mixedIteration(data) {
  const n = exec.scenario.iterationInTest;
  const slot = n % 10;
  if (slot < 7) deviceSession(data, patientFor(n), n);
  else if (slot < 9) {
    therapistRound(therapistFor(n), n);
    sleep(0.25);
  } else {
    adminRound();
    sleep(0.25);
  }
}

let monitorStartedAt;

/**
 * The pipeline monitor's iteration (one VU, the whole run): reads /api/v1/pipeline/status and
 * records its batch latency p95, queue depth and backlog, tagged with `loadAt(seconds since the
 * monitor started)`, so a threshold can leave out a phase that overloads the service on purpose.
 */
export function monitorIteration(loadAt) {
  if (monitorStartedAt === undefined) monitorStartedAt = Date.now();
  const tags = { load: loadAt ? loadAt((Date.now() - monitorStartedAt) / 1000) : 'normal' };
  const res = http.get(`${BASE_URL}/api/v1/pipeline/status`, {
    headers: headersFor(seed.adminToken),
    tags: { name: '/api/v1/pipeline/status' },
  });
  if (res.status === 200) {
    const s = res.json();
    if (s.batch_latency_ms && typeof s.batch_latency_ms.p95 === 'number')
      batchLatency.add(s.batch_latency_ms.p95, tags);
    queueDepth.add(s.queue_depth, tags);
    backlog.add(s.backlog, tags);
  }
  sleep(1);
}

/** The monitor's scenario: one VU for `duration`, running the script's `exec` function. */
export const monitorScenario = (duration, execName) => ({
  executor: 'constant-vus',
  vus: 1,
  duration,
  gracefulStop: '2s',
  exec: execName,
});
