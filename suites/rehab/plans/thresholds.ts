/** The rehab plans' thresholds, from the suite configuration (seed 004's table). */
import type { RehabSuiteConfig } from '../config.ts';

export function rehabThresholds(t: RehabSuiteConfig['thresholds']) {
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

  return { apiThresholds, batchLatencyThreshold, eventsPerSecondThreshold };
}
