/**
 * loadproof's public API: only what this file re-exports.
 */

export { queryRows, type SqlCheckOptions, sqlCheck } from './checks/sql.ts';
export { EXIT, LoadproofError, PlanValidationError } from './errors.ts';
export { MAX_ENDPOINT_SERIES } from './metrics/series-limit.ts';
export type { LiveOutput, OutputParams, OutputSecond, RunStart } from './outputs/live-output.ts';
export { closeOutputs } from './outputs/live-outputs.ts';
export { createOutputs, OUTPUT_KINDS, type OutputSpec } from './outputs/output-registry.ts';
export type { Progress, ScenarioProgress } from './outputs/progress.ts';
export * as artillery from './plan/artillery/api.ts';
export { parseDurationMs } from './plan/duration.ts';
export * as k6 from './plan/k6/api.ts';
export { definePlan, type LoadedPlan, loadPlanFile, type PlanFileOptions } from './plan/load.ts';
export type {
  CheckContext,
  CheckInput,
  Flow,
  HttpPhases,
  HttpResponse,
  Plan,
  PlanInput,
  RequestOptions,
  ScenarioInput,
  ThresholdInput,
  Vu,
  WeightedFlow,
} from './plan/types.ts';
export { validatePlan } from './plan/validate.ts';
export type {
  CheckResult,
  CounterSummary,
  EndpointResult,
  GaugeSummary,
  MetricSummary,
  RateSummary,
  RequestCounts,
  ResultsFile,
  ScenarioResult,
  ScenarioSecond,
  ThresholdLevel,
  ThresholdResult,
  TimelinePoint,
  TrendSummary,
  Verdict,
} from './results/types.ts';
export { type RunOptions, runPlan } from './run/run.ts';
