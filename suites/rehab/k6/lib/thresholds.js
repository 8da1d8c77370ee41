// The thresholds of seed 004's table, from the suite configuration, in k6's syntax: the target
// is a threshold; the critical level also aborts the run early (after 10 s) when it is crossed.

const critical = (threshold) => ({ threshold, abortOnFail: true, delayAbortEval: '10s' });

export function apiThresholds(t) {
  return {
    http_req_duration: [`p(95)<${t.apiP95Ms.target}`, critical(`p(95)<${t.apiP95Ms.critical}`)],
    http_req_failed: [`rate<${t.errorRate.target}`, critical(`rate<${t.errorRate.critical}`)],
    ingest_success: [`rate>=${1 - t.errorRate.target}`, critical(`rate>=${1 - t.errorRate.critical}`)],
    projection_lag: [
      `p(95)<${t.projectionLagP95Ms.target}`,
      critical(`p(95)<${t.projectionLagP95Ms.critical}`),
    ],
    checks: ['rate==1'],
    rate_limited: ['count==0'],
  };
}

/** Batch latency p95 as the pipeline reports it, at its worst under normal load. */
export const batchLatencyThreshold = (t) => ({
  'pipeline_batch_latency_p95{load:normal}': [
    `max<${t.batchLatencyMs.target}`,
    critical(`max<${t.batchLatencyMs.critical}`),
  ],
});

/** Events acknowledged per second over the run. */
export const eventsPerSecondThreshold = (t) => ({
  events_ingested: [`rate>=${t.eventsPerSecond.target}`],
});
