/**
 * loadproof's public API: only what this file re-exports.
 */

export { EXIT, LoadproofError, PlanValidationError } from './errors.ts';
export type { ResultsFile } from './outputs/results-types.ts';
export { parseDurationMs } from './plan/duration.ts';
export { definePlan } from './plan/load.ts';
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
