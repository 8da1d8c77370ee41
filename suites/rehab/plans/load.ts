/**
 * Load (seed 004's load_test.js): device sessions arriving at the configured event rate (1000
 * events/s: a start, 10-15 reps and a completion each, then the device reads its adherence until
 * the session shows), beside a mixed population of 70% patients, 20% therapists and 10% admins.
 * A monitor reads the pipeline's status every second.
 */
import { definePlan } from 'loadproof';
import { rehabKit } from './common.ts';
import type { RehabSetup } from './fixture.ts';

const {
  apiThresholds,
  batchLatencyThreshold,
  deviceSession,
  EVENTS_PER_SESSION,
  eventsPerSecondThreshold,
  integrityChecks,
  mixedFlows,
  patientFor,
  pipelineMonitor,
  profile,
  rehabPlanBase,
} = rehabKit();

const { eventsPerSecond, duration, mixedVUs } = profile.load;

export default definePlan<RehabSetup>({
  name: 'rehab: load',
  ...rehabPlanBase(),
  scenarios: {
    ingestion: {
      executor: 'constant-arrival-rate',
      // Sessions per second that carry the configured events per second.
      rate: eventsPerSecond / EVENTS_PER_SESSION,
      duration,
      maxVUs: 1000,
      preAllocatedVUs: 100,
      gracefulStop: '15s',
      flow: (vu) => deviceSession(vu, patientFor(vu.scenarioIteration), vu.scenarioIteration),
    },
    mixed: { executor: 'constant-vus', vus: mixedVUs, duration, gracefulStop: '15s', flow: mixedFlows() },
    monitor: pipelineMonitor(duration),
  },
  thresholds: { ...apiThresholds(), ...eventsPerSecondThreshold, ...batchLatencyThreshold },
  checks: integrityChecks(),
});
