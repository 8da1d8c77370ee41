/**
 * What the rehab plans share: the suite's configuration and fixture, the events a device sends,
 * the flows of patients, therapists and admins, the pipeline monitor, the thresholds of seed 004's
 * table and the integrity checks.
 *
 * Metrics the flows record:
 *   events_ingested      events acknowledged (201), counted per event, also inside batches
 *   ingest_success       rate of event posts answered 201 (backpressure 429s are not failures)
 *   projection_lag       ms from a session's last 201 until a projection's as_of_position reaches it
 *   backpressure_events  429s in the backpressure phase (the service shedding load, nothing lost)
 *   rate_limited         429s elsewhere: the service's rate limit was on
 *   patient_reads        answered reads of patient data (each must be in the audit log)
 *   pipeline_*           gauges read from /api/v1/pipeline/status every second
 *
 * A plan calls `rehabKit()` when it loads: the configuration and the fixture are read then, not
 * when this module is first imported (one process may run the suite several times).
 */
import { readFileSync } from 'node:fs';
import type { CheckContext, CheckInput, HttpResponse, Vu, WeightedFlow } from 'loadproof';
import { queryRows, sqlCheck } from 'loadproof';
import { suiteDatabaseUrl } from '../../../services/shared/local-database.ts';
import { type RehabSuiteConfig, readRehabConfig } from '../config.ts';
import {
  AUDIT_HIGH_WATER_SQL,
  EVENTS_PER_SUBJECT_SQL,
  PHI_WITHOUT_CONSENT_SQL,
  PROJECTION_AHEAD_SQL,
  PROJECTION_MISMATCH_SQL,
  SESSION_REPS_SQL,
} from '../integrity.ts';
import { FIXTURE_FILE, preflight, type RehabFixture } from '../seed-data.ts';

type Patient = RehabFixture['patients'][number];
type Therapist = RehabFixture['therapists'][number];

export const DATABASE_URL = () => {
  const url = suiteDatabaseUrl('rehab');
  if (url) return url;
  throw new Error(
    'DATABASE_URL is not set and no local rehab database is running: the integrity checks need the rehab database',
  );
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const pick = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;
export interface RehabSetup {
  /** Distinguishes this run's sessions from earlier runs' in the same database. */
  runId: string;
  /** Events per subject before the load. */
  baseline: Record<string, number>;
  auditHighWater: number;
}

export function loadFixture(config: RehabSuiteConfig): RehabFixture {
  let f: RehabFixture;
  try {
    f = JSON.parse(readFileSync(FIXTURE_FILE, 'utf8')) as RehabFixture;
  } catch {
    throw new Error(
      `fixture ${FIXTURE_FILE} not found: run \`suites/rehab/scripts/run_tests.sh setup\` first`,
    );
  }
  if (f.baseUrl !== config.baseUrl)
    throw new Error(
      `fixture ${FIXTURE_FILE} was made for ${f.baseUrl}, not ${config.baseUrl}: run the setup again`,
    );
  return f;
}

// ---------------------------------------------------------------- events

const phi = (p: Patient) => ({ phi: true, consent_id: p.consentId });

export const sessionStart = (p: Patient, session: string, reps: number) => ({
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

export const repObservation = (p: Patient, session: string, n: number) => ({
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

export const sessionCompletion = (p: Patient, session: string, reps: number) => ({
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

export const painAlert = (p: Patient, n: number) => ({
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

// ---------------------------------------------------------------- posting

interface Ack {
  event_id: string;
  stream_position: number;
}

/**
 * Counts a post's outcome for `events` events of patient `p`. In the backpressure phase a 429
 * is the service shedding load (counted, not a failure); elsewhere it is rate limiting.
 */
function record(vu: Vu, p: Patient, res: HttpResponse, events: number, backpressure: boolean): void {
  if (res.status === 201) {
    vu.metrics.counter('events_ingested', events);
    vu.metrics.counter(`acked:${p.id}`, events);
    vu.metrics.rate('ingest_success', true);
    return;
  }
  if (res.status === 429 && backpressure) {
    vu.metrics.counter('backpressure_events', 1);
    return;
  }
  if (res.status === 429) vu.metrics.counter('rate_limited', 1);
  // No answer, or a 5xx: the events may or may not be in the log.
  if (res.status === 0 || res.status >= 500) vu.metrics.counter(`ambiguous:${p.id}`, events);
  vu.metrics.rate('ingest_success', false);
}

export async function postEvent(vu: Vu, p: Patient, event: object): Promise<Ack | undefined> {
  const res = await vu.http.post<Ack>('/api/v1/events', {
    json: event,
    headers: bearer(p.token),
    name: 'POST /api/v1/events',
  });
  record(vu, p, res, 1, false);
  return res.status === 201 ? res.body : undefined;
}

export async function postBatch(vu: Vu, p: Patient, events: object[], backpressure: boolean): Promise<void> {
  const res = await vu.http.post('/api/v1/events/batch', {
    json: { events },
    headers: bearer(p.token),
    name: 'POST /api/v1/events/batch',
    ...(backpressure ? { expect: [429] } : {}),
  });
  record(vu, p, res, events.length, backpressure);
}

/** A read of patient data (audited by the service); counted when answered. */
async function read(vu: Vu, url: string, token: string, name: string): Promise<HttpResponse> {
  const res = await vu.http.get(url, { headers: bearer(token), name });
  if (res.status === 200) vu.metrics.counter('patient_reads', 1);
  return res;
}

/**
 * Reads the patient's adherence until its as_of_position reaches `position`: the projection lag
 * as a client sees it, from the 201 to the first answer that includes the event.
 */
export async function measureProjectionLag(vu: Vu, p: Patient, position: number, ackedAt: number) {
  const url = `/api/v1/projections/adherence?patient_id=${p.id}&window=7d`;
  for (;;) {
    const res = await read(vu, url, p.token, 'GET /api/v1/projections/adherence');
    if (res.status !== 200) return;
    if (Number(res.body.as_of_position) >= position) break;
    if (performance.now() - ackedAt > 10_000 || vu.signal.aborted) {
      vu.metrics.counter('projection_lag_timeouts', 1);
      break;
    }
    await vu.sleep('5ms');
  }
  vu.metrics.trend('projection_lag', performance.now() - ackedAt);
}

/** A therapist's round: the work queue, then one patient's adherence, quality and event stream. */
export async function therapistRound(vu: Vu, t: Therapist, n: number): Promise<void> {
  const q = await read(
    vu,
    `/api/v1/projections/work-queue?therapist_id=${t.id}`,
    t.token,
    'GET /api/v1/projections/work-queue',
  );
  vu.check(
    'the work queue lists every assigned patient',
    q,
    (r) => r.status === 200 && r.body.items.length === t.patients.length,
  );
  const patient = pick(t.patients, n);
  await read(
    vu,
    `/api/v1/projections/adherence?patient_id=${patient}&window=14d`,
    t.token,
    'GET /api/v1/projections/adherence',
  );
  await read(
    vu,
    `/api/v1/projections/quality?patient_id=${patient}&window=7d`,
    t.token,
    'GET /api/v1/projections/quality',
  );
  await read(vu, `/api/v1/patients/${patient}/stream?limit=50`, t.token, 'GET /api/v1/patients/:id/stream');
}

// ---------------------------------------------------------------- thresholds and checks

// ---------------------------------------------------------------- the kit

/** Everything a rehab plan needs, with the configuration and the fixture read now. */
export function rehabKit() {
  const config = readRehabConfig();
  const profile = config.profile;
  const fixture = loadFixture(config);

  const patientFor = (i: number): Patient => pick(fixture.patients, i);
  const therapistFor = (i: number): Therapist => pick(fixture.therapists, i);

  /** Average events of a device session: start, reps, completion (alerts aside). */
  const EVENTS_PER_SESSION = 2 + (config.repsPerSession.min + config.repsPerSession.max) / 2;

  async function rehabSetup(): Promise<RehabSetup> {
    await preflight(config.baseUrl, fixture.adminToken);
    const baseline: Record<string, number> = {};
    for (const r of await queryRows(DATABASE_URL(), EVENTS_PER_SUBJECT_SQL))
      baseline[String(r.subject_id)] = Number(r.n);
    const [audit] = await queryRows(DATABASE_URL(), AUDIT_HIGH_WATER_SQL);
    return { runId: Date.now().toString(36), baseline, auditHighWater: Number(audit?.id ?? 0) };
  }

  function rehabPlanBase() {
    return {
      target: config.baseUrl,
      setup: rehabSetup,
      metrics: {
        events_ingested: 'counter',
        ingest_success: 'rate',
        projection_lag: 'trend',
        backpressure_events: 'counter',
        rate_limited: 'counter',
        patient_reads: 'counter',
        pipeline_batch_latency_p95: 'gauge',
        pipeline_queue_depth: 'gauge',
        pipeline_backlog: 'gauge',
      } as const,
    };
  }

  /**
   * One exercise session from a patient's device: the start, 10-15 reps a few ms apart, now and
   * then a pain alert, the completion; then the device reads its adherence until the completion
   * shows (projection lag). Each acknowledged position must be above the previous one.
   */
  async function deviceSession(vu: Vu<RehabSetup>, p: Patient, n: number): Promise<void> {
    const { min, max } = config.repsPerSession;
    const reps = min + (n % (max - min + 1));
    const session = `${vu.setup.runId}-${vu.scenario}-${n}`;
    const positions: number[] = [];
    const start = await postEvent(vu, p, sessionStart(p, session, reps));
    if (!start) return;
    positions.push(start.stream_position);
    for (let r = 1; r <= reps; r++) {
      await vu.sleep(`${config.repIntervalMs}ms`);
      const ack = await postEvent(vu, p, repObservation(p, session, r + n));
      if (ack) positions.push(ack.stream_position);
    }
    if (n % config.alertEverySessions === 0) await postEvent(vu, p, painAlert(p, n));
    const done = await postEvent(vu, p, sessionCompletion(p, session, reps));
    if (!done) return;
    const ackedAt = performance.now();
    positions.push(done.stream_position);
    vu.check('stream positions rise within a session', positions, (ps) =>
      ps.every((x, i) => i === 0 || x > (ps[i - 1] as number)),
    );
    await measureProjectionLag(vu, p, done.stream_position, ackedAt);
  }

  /** An admin's look: the pain alerts, and the pipeline. */
  async function adminRound(vu: Vu): Promise<void> {
    await read(vu, '/api/v1/alerts?alert_type=pain_report', fixture.adminToken, 'GET /api/v1/alerts');
    await vu.http.get('/api/v1/pipeline/status', {
      headers: bearer(fixture.adminToken),
      name: 'GET /api/v1/pipeline/status',
    });
  }

  /** 70% patients, 20% therapists, 10% admins: exact over every 10 iterations. */
  function mixedFlows(): WeightedFlow<RehabSetup>[] {
    return [
      {
        name: 'patient',
        weight: 70,
        flow: (vu) => deviceSession(vu, patientFor(vu.scenarioIteration), vu.scenarioIteration),
      },
      {
        name: 'therapist',
        weight: 20,
        flow: async (vu) => {
          await therapistRound(vu, therapistFor(vu.scenarioIteration), vu.scenarioIteration);
          await vu.sleep('250ms');
        },
      },
      {
        name: 'admin',
        weight: 10,
        flow: async (vu) => {
          await adminRound(vu);
          await vu.sleep('250ms');
        },
      },
    ];
  }

  /**
   * One VU that reads /api/v1/pipeline/status every second for the whole plan. `loadAt` tags each
   * reading with the load at that moment (seconds since the monitor started), so a threshold can
   * leave out a phase that overloads the service on purpose.
   */
  function pipelineMonitor(duration: string, loadAt: (seconds: number) => string = () => 'normal') {
    let startedAt: number | undefined;
    return {
      executor: 'constant-vus' as const,
      vus: 1,
      duration,
      gracefulStop: '2s',
      flow: async (vu: Vu) => {
        startedAt ??= performance.now();
        const tags = { load: loadAt((performance.now() - startedAt) / 1000) };
        const res = await vu.http.get('/api/v1/pipeline/status', {
          headers: bearer(fixture.adminToken),
          name: 'GET /api/v1/pipeline/status',
        });
        if (res.status === 200) {
          const s = res.body;
          if (typeof s.batch_latency_ms?.p95 === 'number')
            vu.metrics.gauge('pipeline_batch_latency_p95', s.batch_latency_ms.p95, tags);
          vu.metrics.gauge('pipeline_queue_depth', s.queue_depth, tags);
          vu.metrics.gauge('pipeline_backlog', s.backlog, tags);
        }
        await vu.sleep('1s');
      },
    };
  }

  const t = config.thresholds;

  /** The seed's table: API p95 200 / 500 ms, errors 0.1% / 1%, projection lag p95 100 / 1000 ms. */
  function apiThresholds() {
    return {
      http_req_duration: [
        { threshold: `p(95)<${t.apiP95Ms.target}`, critical: `p(95)<${t.apiP95Ms.critical}` },
      ],
      http_req_failed: [
        { threshold: `rate<${t.errorRate.target}`, critical: `rate<${t.errorRate.critical}` },
      ],
      ingest_success: [
        { threshold: `rate>=${1 - t.errorRate.target}`, critical: `rate>=${1 - t.errorRate.critical}` },
      ],
      projection_lag: [
        {
          threshold: `p(95)<${t.projectionLagP95Ms.target}`,
          critical: `p(95)<${t.projectionLagP95Ms.critical}`,
        },
      ],
      checks: ['rate==1'],
      rate_limited: ['count==0'],
    };
  }

  /** Batch latency p95 as the pipeline reports it, at its worst under normal load: 1 s / 2 s. */
  const batchLatencyThreshold = {
    'pipeline_batch_latency_p95{load:normal}': [
      { threshold: `max<${t.batchLatencyMs.target}`, critical: `max<${t.batchLatencyMs.critical}` },
    ],
  };

  /** Events/s over the run: 1000 / 500. */
  const eventsPerSecondThreshold = {
    events_ingested: [
      { threshold: `rps>=${t.eventsPerSecond.target}`, critical: `rps>=${t.eventsPerSecond.critical}` },
    ],
  };

  /** Waits until the pipeline has projected every committed event (or says why not). */
  async function pipelineCaughtUp(timeoutMs = 60_000): Promise<string | undefined> {
    const until = Date.now() + timeoutMs;
    let last:
      | { last_projected_position: number; last_committed_position: number; in_flight_writes: number }
      | undefined;
    while (Date.now() < until) {
      const r = await fetch(`${config.baseUrl}/api/v1/pipeline/status`, {
        headers: bearer(fixture.adminToken),
      });
      if (r.ok) {
        last = (await r.json()) as typeof last;
        if (
          last &&
          last.in_flight_writes === 0 &&
          last.last_projected_position >= last.last_committed_position
        )
          return;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    return `the pipeline did not catch up within ${timeoutMs / 1000} s (${last ? `projected ${last.last_projected_position} of ${last.last_committed_position}` : 'no status'})`;
  }

  function integrityChecks(): Record<string, CheckInput<RehabSetup>> {
    return {
      acknowledged_events_in_log: {
        description: 'per patient, every event the service acknowledged (201) is in the log',
        run: async (ctx: CheckContext<RehabSetup>) => {
          const now = new Map<string, number>();
          for (const r of await queryRows(DATABASE_URL(), EVENTS_PER_SUBJECT_SQL))
            now.set(String(r.subject_id), Number(r.n));
          const bad: unknown[] = [];
          for (const p of fixture.patients) {
            const logged = (now.get(p.id) ?? 0) - (ctx.setup.baseline[p.id] ?? 0);
            const acked = ctx.counter(`acked:${p.id}`);
            // Posts that got no answer (or a 5xx) may have been committed: at most that many extra.
            const ambiguous = ctx.counter(`ambiguous:${p.id}`);
            if (logged < acked || logged > acked + ambiguous)
              bad.push({ patient: p.id, acknowledged: acked, in_log: logged, unanswered: ambiguous });
          }
          return bad;
        },
      },
      projection_not_ahead_of_log: sqlCheck({
        url: DATABASE_URL,
        sql: PROJECTION_AHEAD_SQL,
        every: '10s',
        description: 'no subject has more projected events than logged ones (nothing projected twice)',
      }),
      projections_match_log: {
        description: 'once the pipeline caught up: per subject, projected events and reps equal the log',
        run: async () => (await pipelineCaughtUp()) ?? queryRows(DATABASE_URL(), PROJECTION_MISMATCH_SQL),
      },
      session_reps_match_log: {
        description: 'per session, the projected rep count equals the rep events in the log',
        run: async () => (await pipelineCaughtUp()) ?? queryRows(DATABASE_URL(), SESSION_REPS_SQL),
      },
      phi_has_consent: sqlCheck({
        url: DATABASE_URL,
        sql: PHI_WITHOUT_CONSENT_SQL,
        every: '10s',
        description: 'every PHI event in the log names a consent of its subject',
      }),
      reads_audited: {
        description: 'every read of patient data the suite made is in the audit log',
        run: async (ctx: CheckContext<RehabSetup>) => {
          const [row] = await queryRows(
            DATABASE_URL(),
            'SELECT count(*)::int AS n FROM audit_log WHERE id > $1',
            [ctx.setup.auditHighWater],
          );
          const audited = Number(row?.n ?? 0);
          const reads = ctx.counter('patient_reads');
          return audited >= reads ? undefined : `${reads} reads answered, ${audited} audit rows written`;
        },
      },
    };
  }

  return {
    config,
    profile,
    fixture,
    patientFor,
    therapistFor,
    EVENTS_PER_SESSION,
    rehabSetup,
    rehabPlanBase,
    deviceSession,
    adminRound,
    mixedFlows,
    pipelineMonitor,
    apiThresholds,
    batchLatencyThreshold,
    eventsPerSecondThreshold,
    integrityChecks,
  };
}

export type RehabKit = ReturnType<typeof rehabKit>;
