/**
 * loadproof's public API: only what this file re-exports.
 */

export { queryRows, type SqlCheckOptions, sqlCheck } from './checks/sql.ts';
export { EXIT, LoadproofError, PlanValidationError } from './errors.ts';
export * as artillery from './plan/artillery/api.ts';
export { parseDurationMs } from './plan/duration.ts';
export { definePlan, loadPlanFile } from './plan/load.ts';
export type {
  CheckContext,
  CheckInput,
  Flow,
  HttpResponse,
  PlanInput,
  RequestOptions,
  ScenarioInput,
  ThresholdInput,
  Vu,
  WeightedFlow,
} from './plan/types.ts';
export { validatePlan } from './plan/validate.ts';
export type { ResultsFile } from './results/types.ts';
export { type RunOptions, runPlan } from './run/run.ts';
