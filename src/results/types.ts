/**
 * results.json: the one record of a run. Every report is rendered from it alone.
 * Versioned by `schemaVersion`; documented by schema/results.schema.json.
 * Every time value is in milliseconds unless its name says otherwise.
 */

import type { HistogramStats } from '../metrics/histogram.ts';
import type { TimelinePoint } from '../metrics/timeline.ts';
import type { ShardRecord } from './shard-record.ts';

export type { TimelinePoint };

export const SCHEMA_VERSION = 1;

/** Summary of a trend metric (a latency, say), from its HDR histogram. */
export type TrendSummary = { type: 'trend' } & HistogramStats;
export interface CounterSummary {
  type: 'counter';
  count: number;
  /** count per second of the run's duration. */
  rate: number;
}
export interface RateSummary {
  type: 'rate';
  /** passes / (passes + fails), 0 when there were none. */
  rate: number;
  passes: number;
  fails: number;
}
export interface GaugeSummary {
  type: 'gauge';
  value: number;
  min: number;
  max: number;
}
export type MetricSummary = TrendSummary | CounterSummary | RateSummary | GaugeSummary;

export interface RequestCounts {
  total: number;
  /** Responses by HTTP status ("200", "409"); requests that got no response are under errors. */
  byStatus: Record<string, number>;
  /** Requests that got no response, by error code (ECONNREFUSED, ETIMEDOUT, ...). */
  errors: Record<string, number>;
  /** Requests whose outcome was not expected (http_req_failed passes). */
  failed: number;
  /** Requests per second over the scenario's (or run's) duration. */
  rps: number;
}

export interface EndpointResult {
  /** `METHOD name`, e.g. `POST /api/authorizations/:id/reserve`. */
  key: string;
  method: string;
  name: string;
  requests: RequestCounts;
  latency: TrendSummary;
}

export interface ScenarioResult {
  name: string;
  executor: string;
  /** Milliseconds from the run's start to the scenario's start, and how long it ran. */
  startMs: number;
  durationMs: number;
  requests: RequestCounts;
  iterations: number;
  droppedIterations: number;
  /** Open model: the arrivals the plan scheduled for this scenario (this shard's part of them). */
  plannedArrivals?: number;
  metrics: Record<string, MetricSummary>;
  endpoints: EndpointResult[];
  /** Weighted flows: iterations per flow name. */
  flows: Record<string, number>;
  /**
   * The scenario's latency (http_req_duration) by percentile, as HdrHistogram plots it:
   * `[percentile, ms]` pairs from 0 to 100, denser towards the tail.
   */
  latencyDistribution?: [number, number][];
  /** The scenario's seconds with requests in them. */
  timeline?: ScenarioSecond[];
}

export type ThresholdLevel = 'PASS' | 'WARN' | 'FAIL';

export interface ThresholdResult {
  /** Metric with its tag filter, as written: `http_req_duration{scenario:contention}`. */
  metric: string;
  expression: string;
  critical?: string;
  /** The aggregated value the expression compared (e.g. the p95 in ms); null when there was no data. */
  actual: number | null;
  level: ThresholdLevel;
  /** False only for FAIL: a WARN is over target but within the critical level. */
  ok: boolean;
  abortOnFail: boolean;
  /** True when this threshold aborted the run. */
  aborted?: boolean;
  /** True for a default threshold: the plan named none (verdict/default-thresholds.ts). */
  isDefault?: boolean;
}

export interface CheckResult {
  name: string;
  description?: string;
  ok: boolean;
  /** How often it ran and how often it failed, over all phases. */
  runs: number;
  failures: number;
  /** The first failure's message (and the phase it happened in). */
  message?: string;
  phase?: 'before' | 'during' | 'after';
  /** Up to 20 offending rows of the first failure, for SQL checks. */
  rows?: unknown[];
}

/** The built-in run-validity criteria, by the plan key that loosens each (plan `validity`). */
export type ValidityName = 'maxMissedArrivals' | 'maxAborted' | 'minRequests' | 'shardsOnTime';

/** One run-validity criterion as judged (verdict/run-validity.ts): was the planned load delivered? */
export interface ValidityCriterion {
  name: ValidityName;
  /** What it measures, in words: `missed + dropped arrivals of the planned ones`. */
  description: string;
  /** The limit as text: `<= 1%`, `>= 1`, `every shard within 1000 ms`. */
  limit: string;
  /** What the run did, as text: `8.9% (213 of 2400)`. */
  actual: string;
  ok: boolean;
  /** True when the plan set a looser limit than the built-in one. */
  loosened?: boolean;
}

/** One second of one scenario: its requests, and the percentiles of those that completed in it. */
export interface ScenarioSecond {
  /** Seconds since the run's start (the end of this second), as in the run's timeline. */
  t: number;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface Verdict {
  /**
   * GO or NO-GO; SHARD for one shard of a sharded run (judged only once merged); INCOMPLETE for a
   * merge that misses shards.
   */
  status: 'GO' | 'NO-GO' | 'SHARD' | 'INCOMPLETE';
  /** Why NO-GO (empty for GO); warnings are listed too. */
  reasons: string[];
  warnings: string[];
}

export interface ResultsFile {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'loadproof'; version: string };
  plan: { name: string; file?: string; target: string };
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** True when the run was stopped early (SIGINT, abortOnFail). */
  interrupted: boolean;
  /** True when a worker exited, crashed or was stuck: the figures miss its last part of the load. */
  incomplete?: boolean;
  /** What happened to each such worker. */
  workerFailures?: string[];
  interruptReason?: string;
  workers: number;
  verdict: Verdict;
  requests: RequestCounts;
  iterations: number;
  droppedIterations: number;
  metrics: Record<string, MetricSummary>;
  scenarios: Record<string, ScenarioResult>;
  /** The run's latency by percentile, as each scenario's `latencyDistribution`. */
  latencyDistribution?: [number, number][];
  thresholds: ThresholdResult[];
  checks: CheckResult[];
  /** The run-validity criteria, judged beside the thresholds (absent in files of older versions). */
  validity?: ValidityCriterion[];
  /** How long each vu.group took, by its path (`::outer::inner`). */
  groups?: Record<string, TrendSummary>;
  /** vu.check results by name. */
  flowChecks: Record<string, { passes: number; fails: number }>;
  timeline: TimelinePoint[];
  /**
   * Encoded HDR histograms (compressed base64, microseconds) for merging runs:
   * key `metric` for the whole run, `metric{scenario=NAME}` per scenario.
   */
  histograms: Record<string, string>;
  /** One shard of a sharded run: what `loadproof merge` adds up (results/shard-record.ts). */
  shard?: ShardRecord;
  /** A merged run: each shard's segment, host, start skew, requests and errors. */
  shards?: ShardSummary[];
}

export interface ShardSummary {
  segment: string;
  host: string;
  startSkewMs: number;
  requests: number;
  errors: number;
}
