/**
 * The pipeline under stress (seed 004's broadway_load_test.js), its phases one after another:
 *   sustained     50 devices sending sessions                         p95 < 150 ms
 *   burst         sensor events 100 -> 2000/s -> 100                  p95 < 300 ms
 *   capacity      sensor events ramping 500 -> 2000/s                 p95 < 250 ms
 *   backpressure  batches far past capacity: 429s are the service shedding load (counted as
 *                 backpressure, not errors) and no acknowledged event may be lost
 * PIPELINE_SCENARIO=sustained|burst|capacity|backpressure runs one phase alone (as K6_SCENARIO did).
 */
import { definePlan, parseDurationMs, type ScenarioInput, type Vu } from 'loadproof';
import { rehabKit } from './common.ts';
import { repObservation } from './events.ts';
import type { RehabSetup } from './fixture.ts';
import { postBatch, postEvent } from './requests.ts';

const {
  apiThresholds,
  batchLatencyThreshold,
  config,
  deviceSession,
  integrityChecks,
  patientFor,
  pipelineMonitor,
  profile,
  rehabPlanBase,
} = rehabKit();

const PHASES = ['sustained', 'burst', 'capacity', 'backpressure'] as const;
type Phase = (typeof PHASES)[number];
const only = process.env.PIPELINE_SCENARIO;
if (only !== undefined && !PHASES.includes(only as Phase))
  throw new Error(`PIPELINE_SCENARIO: expected one of ${PHASES.join(', ')}, got "${only}"`);
const GAP_S = 2;

const { sustained, burst, capacity, backpressure } = profile;
const seconds = (d: string) => (parseDurationMs(d) as number) / 1000;

/** A sensor event: one rep of the patient's running burst session. */
const sensorEvent = async (vu: Vu<RehabSetup>) => {
  const i = vu.scenarioIteration;
  const p = patientFor(i);
  await postEvent(
    vu,
    p,
    repObservation(p, `${vu.setup.runId}-${vu.scenario}-${p.id}`, 1 + Math.floor(i / config.patients)),
  );
};

const phases: Record<Phase, { seconds: number; scenario: ScenarioInput<RehabSetup> }> = {
  sustained: {
    seconds: seconds(sustained.duration),
    scenario: {
      executor: 'constant-vus',
      vus: sustained.vus,
      duration: sustained.duration,
      gracefulStop: '10s',
      flow: (vu) => deviceSession(vu, patientFor(vu.id - 1), vu.scenarioIteration),
    },
  },
  burst: {
    seconds: 2 * burst.rampSeconds + burst.holdSeconds,
    scenario: {
      executor: 'ramping-arrival-rate',
      startRate: burst.base,
      stages: [
        { duration: `${burst.rampSeconds}s`, target: burst.peak },
        { duration: `${burst.holdSeconds}s`, target: burst.peak },
        { duration: `${burst.rampSeconds}s`, target: burst.base },
      ],
      maxVUs: 1000,
      preAllocatedVUs: 100,
      gracefulStop: '10s',
      flow: sensorEvent,
    },
  },
  capacity: {
    seconds: seconds(capacity.duration),
    scenario: {
      executor: 'ramping-arrival-rate',
      startRate: capacity.from,
      stages: [{ duration: capacity.duration, target: capacity.to }],
      maxVUs: 1000,
      preAllocatedVUs: 100,
      gracefulStop: '10s',
      flow: sensorEvent,
    },
  },
  backpressure: {
    seconds: seconds(backpressure.duration),
    scenario: {
      executor: 'constant-arrival-rate',
      rate: backpressure.eventsPerSecond / backpressure.batchSize,
      duration: backpressure.duration,
      maxVUs: 400,
      preAllocatedVUs: 50,
      gracefulStop: '30s',
      flow: async (vu) => {
        const i = vu.scenarioIteration;
        const p = patientFor(i);
        const session = `${vu.setup.runId}-backpressure-${i}`;
        const events = Array.from({ length: backpressure.batchSize }, (_, k) =>
          repObservation(p, session, k + 1),
        );
        await postBatch(vu, p, events, true);
      },
    },
  },
};

const chosen = PHASES.filter((ph) => only === undefined || ph === only);
const scenarios: Record<string, ScenarioInput<RehabSetup>> = {};
const windows: { phase: Phase; from: number; to: number }[] = [];
let at = 0;
for (const ph of chosen) {
  const { seconds: s, scenario } = phases[ph];
  scenarios[ph] = { ...scenario, startTime: `${at}s`, tags: { phase: ph } };
  windows.push({ phase: ph, from: at, to: at + s });
  at += s + GAP_S;
}
const loadAt = (s: number) =>
  windows.find((w) => s >= w.from && s < w.to + GAP_S)?.phase === 'backpressure' ? 'overload' : 'normal';
scenarios.monitor = pipelineMonitor(`${at}s`, loadAt);

const phaseP95 = config.thresholds.phaseP95Ms;
const api = apiThresholds();
export default definePlan<RehabSetup>({
  name: only ? `rehab: pipeline (${only})` : 'rehab: pipeline',
  ...rehabPlanBase(),
  scenarios,
  thresholds: {
    http_req_failed: api.http_req_failed,
    ingest_success: api.ingest_success,
    checks: api.checks,
    rate_limited: api.rate_limited,
    ...(chosen.includes('sustained')
      ? {
          projection_lag: api.projection_lag,
          'http_req_duration{scenario:sustained}': [`p(95)<${phaseP95.sustained}`],
        }
      : {}),
    ...(chosen.includes('burst') ? { 'http_req_duration{scenario:burst}': [`p(95)<${phaseP95.burst}`] } : {}),
    ...(chosen.includes('capacity')
      ? { 'http_req_duration{scenario:capacity}': [`p(95)<${phaseP95.capacity}`] }
      : {}),
    ...(only === 'backpressure' ? {} : batchLatencyThreshold),
  },
  checks: integrityChecks(),
});
