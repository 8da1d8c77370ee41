/**
 * What must be equal when k6 and loadproof run the same script against the same server: counts,
 * statuses, check outcomes, custom metric figures, group names, threshold verdicts and the exit
 * code. Nothing here depends on timing, so k6's run, recorded once, is compared with every
 * loadproof run.
 */

export type MetricFacts =
  | { type: 'counter'; count: number }
  | { type: 'rate'; passes: number; fails: number }
  | { type: 'trend'; count: number; min: number; max: number; avg: number }
  | { type: 'gauge'; value: number; min: number; max: number };

export interface Facts {
  /** The tool's own exit code (k6: 0 or 99; loadproof: 0 or 3). */
  exitCode: number;
  /** Requests the server received, per "METHOD /path". */
  server: Record<string, number>;
  /** Iterations per scenario. */
  iterations: Record<string, number>;
  /** Dropped iterations per scenario, only the scenarios that dropped any. */
  droppedIterations: Record<string, number>;
  /** Responses per "scenario METHOD name status" (name: the path, or the request's `name` tag). */
  responses: Record<string, number>;
  /** Requests counted as failed in http_req_failed, per "scenario METHOD name", only where any failed. */
  failedRequests: Record<string, number>;
  /** `check()` outcomes by check name. */
  checks: Record<string, { passes: number; fails: number }>;
  /** Group paths (`::outer::inner`) that ran. */
  groups: string[];
  /** The script's custom metrics over the whole run. */
  metrics: Record<string, MetricFacts>;
  /** Each threshold of the script, "metric expression", true when it held. */
  thresholds: Record<string, boolean>;
  /** What the script's handleSummary wrote to __ENV.SUMMARY_OUT, objects' keys sorted; if it did. */
  handleSummary?: unknown;
}

/** The metrics k6 defines itself; every other metric of a run is the script's own. */
export const K6_BUILTIN_METRICS = new Set([
  'checks',
  'data_received',
  'data_sent',
  'dropped_iterations',
  'group_duration',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_duration',
  'http_req_failed',
  'http_req_receiving',
  'http_req_sending',
  'http_req_tls_handshaking',
  'http_req_waiting',
  'http_reqs',
  'iteration_duration',
  'iterations',
  'vus',
  'vus_max',
]);

/** The same record with its keys sorted, so fixtures diff cleanly and compare in any order. */
export function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function addTo(record: Record<string, number>, key: string, n = 1): void {
  record[key] = (record[key] ?? 0) + n;
}

/** A JSON value with every object's keys sorted (arrays keep their order). */
export function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, sortedDeep(v)]),
  );
}

/** The handleSummary file's facts, when the script wrote one. */
export function handleSummaryFacts(text: string | undefined): Pick<Facts, 'handleSummary'> {
  return text === undefined ? {} : { handleSummary: sortedDeep(JSON.parse(text)) };
}
