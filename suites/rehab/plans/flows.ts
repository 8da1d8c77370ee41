/**
 * What the rehab plans' virtual users do: a patient's device session, a therapist's round, an
 * admin's look, the mixed population of all three, and the pipeline monitor. `rehabFlows` binds
 * them to the configuration and the fixture a plan read when it loaded.
 */
import type { Vu, WeightedFlow } from 'loadproof';
import type { RehabSuiteConfig } from '../config.ts';
import type { RehabFixture } from '../seed-data.ts';
import { painAlert, repObservation, sessionCompletion, sessionStart } from './events.ts';
import { type Patient, pick, type RehabSetup, type Therapist } from './fixture.ts';
import { bearer, measureProjectionLag, postEvent, read } from './requests.ts';

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

export function rehabFlows(config: RehabSuiteConfig, fixture: RehabFixture) {
  const patientFor = (i: number): Patient => pick(fixture.patients, i);
  const therapistFor = (i: number): Therapist => pick(fixture.therapists, i);

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
   * One VU that reads /api/v1/pipeline/status every second for the whole plan and records the
   * gauges pipeline_batch_latency_p95, pipeline_queue_depth and pipeline_backlog. `loadAt` tags
   * each reading with the load at that moment (seconds since the monitor started), so a
   * threshold can leave out a phase that overloads the service on purpose.
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

  return { patientFor, therapistFor, deviceSession, adminRound, mixedFlows, pipelineMonitor };
}
