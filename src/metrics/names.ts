/**
 * Built-in metric names. Times are milliseconds in results; histograms record microseconds.
 */
export const BUILTIN_METRICS = {
  /** counter: requests sent (with a response or an error). */
  http_reqs: 'counter',
  /** trend: latency from the intended start (no coordinated omission). */
  http_req_duration: 'trend',
  /** trend: uncorrected service time, from the moment the request was written to a socket. */
  http_req_service_duration: 'trend',
  /** trend: time to first byte, from the moment the request was written. */
  http_req_waiting: 'trend',
  /** trend: TCP connect time, one sample per new connection. */
  http_req_connecting: 'trend',
  /** rate: share of requests whose outcome was not expected. */
  http_req_failed: 'rate',
  /** counter: completed iterations. */
  iterations: 'counter',
  /** rate: share of iterations that ended in an exception of the flow. */
  iteration_failed: 'rate',
  /** trend: iteration duration from its intended start. */
  iteration_duration: 'trend',
  /** counter: iterations that could not start (all maxVUs busy). */
  dropped_iterations: 'counter',
  /** counter: arrivals a shard missed because it started after the agreed instant. */
  missed_arrivals: 'counter',
  /** gauge: active VUs. */
  vus: 'gauge',
  /** counter: bytes received / sent (bodies and headers). */
  data_received: 'counter',
  data_sent: 'counter',
  /** rate: vu.check outcomes. */
  checks: 'rate',
  /** trend: how long each vu.group took, tagged with its path (`::outer::inner`). */
  group_duration: 'trend',
} as const;

export type MetricType = 'trend' | 'counter' | 'rate' | 'gauge';

/**
 * Gauges the run keeps for its own bookkeeping (when each scenario started and how long it ran,
 * when a threshold's filtered series had samples): never shown as metrics.
 */
export const BOOKKEEPING_GAUGES: ReadonlySet<string> = new Set([
  'scenario_duration_ms',
  'scenario_start_ms',
  'series_active_ms',
]);
