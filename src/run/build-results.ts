/**
 * Builds results.json at the end of a run: the plan's scenarios, the summaries read from the
 * merged metrics, thresholds, checks and the verdict. Pure: what it returns is all any report needs.
 */
import { isOpenModel } from '../executors/index.ts';
import { scenarioKey } from '../metrics/keys.ts';
import type { MetricStore } from '../metrics/store.ts';
import type { ScenarioTimeline } from '../outputs/scenario-timeline.ts';
import type { Plan, ValidityLimits } from '../plan/types.ts';
import {
  encodedHistograms,
  endpointsOf,
  flowChecksOf,
  groupsOf,
  latencyDistributionOf,
  metricsFor,
  requestCounts,
  round,
} from '../results/summaries.ts';
import {
  type CheckResult,
  type ResultsFile,
  SCHEMA_VERSION,
  type ScenarioResult,
  type ThresholdResult,
  type TimelinePoint,
} from '../results/types.ts';
import { runValidity } from '../verdict/run-validity.ts';
import { verdictOf } from '../verdict/verdict.ts';

/** What the results need of a plan: its name, target and scenarios (a merge has only their outline). */
export interface PlanShape {
  name: string;
  target: string;
  scenarios: readonly {
    name: string;
    startTimeMs: number;
    config: { executor: string };
    flows: readonly { name: string }[];
  }[];
}

export interface ResultsInput {
  plan: Plan | PlanShape;
  file?: string;
  store: MetricStore;
  timeline: TimelinePoint[];
  startedAt: Date;
  durationMs: number;
  interrupted: boolean;
  interruptReason?: string;
  /** Workers that exited, crashed or were stuck: the run is incomplete. */
  workerFailures?: string[];
  workers: number;
  /** Each scenario's seconds, when they were taken. */
  scenarioTimeline?: Pick<ScenarioTimeline, 'of'>;
  thresholds: ThresholdResult[];
  checks: CheckResult[];
  version: string;
  /** Arrivals each open-model scenario scheduled (run/planned-arrivals.ts). */
  plannedArrivals?: Record<string, number>;
  /** The run-validity limits the plan changed (plan key `validity`). */
  validityLimits?: Partial<ValidityLimits>;
  /** A merged run: how late each shard started, for the criterion `shardsOnTime`. */
  shardStarts?: readonly { segment: string; startSkewMs: number }[];
}

/** The target without credentials, query or fragment: reports must not leak secrets. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

export function buildResults(input: ResultsInput): ResultsFile {
  const { store, plan, durationMs } = input;
  const scenarios: Record<string, ScenarioResult> = {};
  const endpoints = endpointsOf(store);
  const flowCounts = store.counters.get('iterations');
  for (const s of plan.scenarios) {
    const key = scenarioKey(s.name);
    const sDuration = store.gauges.get('scenario_duration_ms')?.get(key)?.max ?? 0;
    const flows: Record<string, number> = {};
    for (const f of s.flows) flows[f.name] = flowCounts?.get(`flow=${s.name}|${f.name}`) ?? 0;
    const eps = endpoints.get(s.name) ?? [];
    for (const e of eps) e.requests.rps = sDuration > 0 ? round(e.requests.total / (sDuration / 1000)) : 0;
    eps.sort((a, b) => a.key.localeCompare(b.key));
    scenarios[s.name] = {
      name: s.name,
      executor: s.config.executor,
      startMs: round(store.gauges.get('scenario_start_ms')?.get(key)?.min ?? s.startTimeMs, 0),
      durationMs: round(sDuration, 0),
      requests: requestCounts(store, key, sDuration),
      iterations: store.counter('iterations', key),
      droppedIterations: store.counter('dropped_iterations', key),
      ...(input.plannedArrivals?.[s.name] !== undefined
        ? { plannedArrivals: input.plannedArrivals[s.name] as number }
        : {}),
      metrics: metricsFor(store, key, sDuration),
      endpoints: eps,
      flows,
      ...latencyDistributionOf(store.trends.get('http_req_duration')?.get(key)),
      ...(input.scenarioTimeline ? { timeline: input.scenarioTimeline.of(s.name) } : {}),
    };
  }
  const groups = groupsOf(store);
  const requests = requestCounts(store, '', durationMs);
  const openModel = plan.scenarios.filter((s) => isOpenModel(s.config.executor));
  const validity = runValidity(
    {
      plannedArrivals: openModel.reduce((n, s) => n + (input.plannedArrivals?.[s.name] ?? 0), 0),
      missedArrivals: store.counter('missed_arrivals'),
      droppedArrivals: openModel.reduce(
        (n, s) => n + store.counter('dropped_iterations', scenarioKey(s.name)),
        0,
      ),
      requests: requests.total,
      unanswered: Object.values(requests.errors).reduce((a, b) => a + b, 0),
      ...(input.shardStarts ? { shards: input.shardStarts } : {}),
    },
    input.validityLimits,
  );
  const endedAt = new Date(input.startedAt.getTime() + durationMs);
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'loadproof', version: input.version },
    plan: { name: plan.name, ...(input.file ? { file: input.file } : {}), target: redactUrl(plan.target) },
    startedAt: input.startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: Math.round(durationMs),
    interrupted: input.interrupted,
    ...(input.interruptReason ? { interruptReason: input.interruptReason } : {}),
    ...(input.workerFailures?.length ? { incomplete: true, workerFailures: input.workerFailures } : {}),
    workers: input.workers,
    verdict: verdictOf(
      input.thresholds,
      input.checks,
      input.interrupted,
      input.interruptReason,
      input.workerFailures,
      validity,
    ),
    requests,
    iterations: store.counter('iterations'),
    droppedIterations: store.counter('dropped_iterations'),
    metrics: metricsFor(store, '', durationMs),
    scenarios,
    ...latencyDistributionOf(store.trends.get('http_req_duration')?.get('')),
    thresholds: input.thresholds,
    checks: input.checks,
    validity,
    ...(Object.keys(groups).length ? { groups } : {}),
    flowChecks: flowChecksOf(store),
    timeline: input.timeline,
    histograms: encodedHistograms(store),
  };
}
