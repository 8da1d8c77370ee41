// Load (seed 004's load_test.js) in k6's own API: device sessions arriving at the configured
// event rate (1000 events/s: a start, 10-15 reps and a completion each, then the device reads its
// adherence until the session shows), beside a mixed population of 70% patients, 20% therapists
// and 10% admins; a monitor reads the pipeline's status every second.
import exec from 'k6/execution';
import {
  deviceSession,
  mixedIteration,
  monitorIteration,
  monitorScenario,
  patientFor,
  rehabSetup,
} from './lib/flows.js';
import { config, EVENTS_PER_SESSION, profile } from './lib/setting.js';
import { apiThresholds, batchLatencyThreshold, eventsPerSecondThreshold } from './lib/thresholds.js';

const { eventsPerSecond, duration, mixedVUs } = profile.load;
// Sessions that carry the configured events per second, per minute: k6 takes whole rates.
const sessionsPerMinute = Math.round((eventsPerSecond * 60) / EVENTS_PER_SESSION);

export const options = {
  scenarios: {
    ingestion: {
      executor: 'constant-arrival-rate',
      rate: sessionsPerMinute,
      timeUnit: '1m',
      duration,
      preAllocatedVUs: 100,
      maxVUs: 1000,
      gracefulStop: '15s',
      exec: 'ingestion',
    },
    mixed: { executor: 'constant-vus', vus: mixedVUs, duration, gracefulStop: '15s', exec: 'mixed' },
    monitor: monitorScenario(duration, 'monitor'),
  },
  thresholds: Object.assign(
    apiThresholds(config.thresholds),
    eventsPerSecondThreshold(config.thresholds),
    batchLatencyThreshold(config.thresholds),
  ),
};

export function setup() {
  return rehabSetup();
}

export function ingestion(data) {
  const n = exec.scenario.iterationInTest;
  deviceSession(data, patientFor(n), n);
}

export function mixed(data) {
  mixedIteration(data);
}

export function monitor() {
  monitorIteration();
}
