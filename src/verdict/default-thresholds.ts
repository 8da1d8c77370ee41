/**
 * The thresholds a plan gets when it names none, so that GO always means something: a run whose
 * requests, flow checks or iterations mostly failed is NO-GO even if nobody wrote a threshold.
 * A plan that wants no thresholds at all says `thresholds: {}`. A default threshold whose metric
 * has no data holds (a plan without flow checks is not failed by the checks default).
 */
import type { ThresholdSpec } from '../plan/types.ts';

const defaultOf = (key: string, expression: string): ThresholdSpec => ({
  key,
  expression,
  abortOnFail: false,
  delayAbortEvalMs: 0,
  isDefault: true,
});

export const DEFAULT_THRESHOLDS: readonly ThresholdSpec[] = [
  defaultOf('http_req_failed', 'rate<0.01'),
  defaultOf('checks', 'rate>=0.99'),
  defaultOf('iteration_failed', 'rate<0.01'),
];
