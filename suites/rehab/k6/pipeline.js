// The pipeline under stress (seed 004's broadway_load_test.js) in k6's own API, its phases one
// after another:
//   sustained     50 devices sending sessions                         p95 < 150 ms
//   burst         sensor events 100 -> 2000/s -> 100                  p95 < 300 ms
//   capacity      sensor events ramping 500 -> 2000/s                 p95 < 250 ms
//   backpressure  batches far past capacity: a 429 is the service shedding load (expected,
//                 counted in backpressure_events, not an error)
// PIPELINE_SCENARIO=sustained|burst|capacity|backpressure runs one phase alone (as K6_SCENARIO
// did in the seed), or several: PIPELINE_SCENARIO=sustained,backpressure. A monitor reads the
// pipeline's status every second throughout.
import exec from 'k6/execution';
import { repObservation } from './lib/events.js';
import { deviceSession, monitorIteration, monitorScenario, patientFor, rehabSetup } from './lib/flows.js';
import { postBatch, postEvent } from './lib/requests.js';
import { config, profile, seconds } from './lib/setting.js';
import { apiThresholds, batchLatencyThreshold } from './lib/thresholds.js';

const PHASES = ['sustained', 'burst', 'capacity', 'backpressure'];
const only = __ENV.PIPELINE_SCENARIO ? __ENV.PIPELINE_SCENARIO.split(',') : undefined;
for (const phase of only || [])
  if (!PHASES.includes(phase))
    throw new Error(`PIPELINE_SCENARIO: expected phases among ${PHASES.join(', ')}, got "${phase}"`);
const GAP_S = 2;
const { sustained, burst, capacity, backpressure } = profile;

const phases = {
  sustained: {
    seconds: seconds(sustained.duration),
    scenario: {
      executor: 'constant-vus',
      vus: sustained.vus,
      duration: sustained.duration,
      gracefulStop: '10s',
      exec: 'sustainedSession',
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
      preAllocatedVUs: 100,
      maxVUs: 1000,
      gracefulStop: '10s',
      exec: 'sensorEvent',
    },
  },
  capacity: {
    seconds: seconds(capacity.duration),
    scenario: {
      executor: 'ramping-arrival-rate',
      startRate: capacity.from,
      stages: [{ duration: capacity.duration, target: capacity.to }],
      preAllocatedVUs: 100,
      maxVUs: 1000,
      gracefulStop: '10s',
      exec: 'sensorEvent',
    },
  },
  backpressure: {
    seconds: seconds(backpressure.duration),
    scenario: {
      executor: 'constant-arrival-rate',
      // Batches per minute that carry the configured events per second: k6 takes whole rates.
      rate: Math.round((backpressure.eventsPerSecond * 60) / backpressure.batchSize),
      timeUnit: '1m',
      duration: backpressure.duration,
      preAllocatedVUs: 50,
      maxVUs: 400,
      gracefulStop: '30s',
      exec: 'overload',
    },
  },
};

const chosen = PHASES.filter((phase) => only === undefined || only.includes(phase));
const scenarios = {};
const windows = [];
let at = 0;
for (const phase of chosen) {
  const { seconds: length, scenario } = phases[phase];
  scenarios[phase] = Object.assign({}, scenario, { startTime: `${at}s`, tags: { phase } });
  windows.push({ phase, from: at, to: at + length });
  at += length + GAP_S;
}
scenarios.monitor = monitorScenario(`${at}s`, 'monitor');

/** The load at `s` seconds into the run: overload in (and just after) the backpressure phase. */
function loadAt(s) {
  const now = windows.find((w) => s >= w.from && s < w.to + GAP_S);
  return now && now.phase === 'backpressure' ? 'overload' : 'normal';
}

const phaseP95 = config.thresholds.phaseP95Ms;
const api = apiThresholds(config.thresholds);
const thresholds = {
  http_req_failed: api.http_req_failed,
  ingest_success: api.ingest_success,
  checks: api.checks,
  rate_limited: api.rate_limited,
};
if (chosen.includes('sustained')) {
  thresholds.projection_lag = api.projection_lag;
  thresholds['http_req_duration{scenario:sustained}'] = [`p(95)<${phaseP95.sustained}`];
}
if (chosen.includes('burst')) thresholds['http_req_duration{scenario:burst}'] = [`p(95)<${phaseP95.burst}`];
if (chosen.includes('capacity'))
  thresholds['http_req_duration{scenario:capacity}'] = [`p(95)<${phaseP95.capacity}`];
// Batch latency is judged outside the backpressure phase, which overloads the pipeline on purpose.
if (chosen.some((phase) => phase !== 'backpressure'))
  Object.assign(thresholds, batchLatencyThreshold(config.thresholds));

export const options = { scenarios, thresholds };

export function setup() {
  return rehabSetup();
}

/** Each sustained VU is one patient's device, session after session. */
export function sustainedSession(data) {
  deviceSession(data, patientFor(exec.vu.idInTest - 1), exec.scenario.iterationInTest);
}

/** A sensor event: one rep of the patient's running burst session. */
export function sensorEvent(data) {
  const i = exec.scenario.iterationInTest;
  const p = patientFor(i);
  const patients = config.patients;
  postEvent(
    p,
    repObservation(p, `${data.runId}-${exec.scenario.name}-${p.id}`, 1 + Math.floor(i / patients)),
  );
}

/** A batch of reps far past capacity: 201 or a 429 (the service shedding load), both expected. */
export function overload(data) {
  const i = exec.scenario.iterationInTest;
  const p = patientFor(i);
  const session = `${data.runId}-backpressure-${i}`;
  const events = [];
  for (let k = 1; k <= backpressure.batchSize; k++) events.push(repObservation(p, session, k));
  postBatch(p, events, true);
}

export function monitor() {
  monitorIteration(loadAt);
}
