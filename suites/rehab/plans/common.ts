/**
 * The rehab plans' kit: the suite's configuration and fixture, read when a plan calls
 * `rehabKit()` (not when this module is first imported: one process may run the suite several
 * times), bound to the parts the plans share:
 *   fixture.ts     patients, therapists, the database, the setup before the load
 *   events.ts      the events a device sends
 *   requests.ts    posting and reading, and the metrics each records
 *   flows.ts       device sessions, therapist and admin rounds, the pipeline monitor
 *   thresholds.ts  the thresholds of seed 004's table
 *   checks.ts      the integrity checks
 */
import { readRehabConfig } from '../config.ts';
import { integrityChecks } from './checks.ts';
import { loadFixture, rehabSetup } from './fixture.ts';
import { rehabFlows } from './flows.ts';
import { rehabThresholds } from './thresholds.ts';

/** Everything a rehab plan needs, with the configuration and the fixture read now. */
export function rehabKit() {
  const config = readRehabConfig();
  const profile = config.profile;
  const fixture = loadFixture(config);

  /** Average events of a device session: start, reps, completion (alerts aside). */
  const EVENTS_PER_SESSION = 2 + (config.repsPerSession.min + config.repsPerSession.max) / 2;

  function rehabPlanBase() {
    return {
      target: config.baseUrl,
      setup: () => rehabSetup(config, fixture),
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

  return {
    config,
    profile,
    fixture,
    EVENTS_PER_SESSION,
    rehabSetup: () => rehabSetup(config, fixture),
    rehabPlanBase,
    ...rehabFlows(config, fixture),
    ...rehabThresholds(config.thresholds),
    integrityChecks: () => integrityChecks(config, fixture),
  };
}

export type RehabKit = ReturnType<typeof rehabKit>;
