/**
 * An Artillery script after validation: what both `loadproof run` and `loadproof convert` work
 * from. Processor functions are still names here; every name has been checked to exist.
 */
import type { ValidityInput } from '../types.ts';
import type { CaptureSpec } from './capture.ts';
import type { PayloadOptions } from './payload.ts';
import type { ExpectPluginOptions, LoopOptions, RequestFields } from './script-types.ts';

export interface PhaseModel {
  /** Where it was written: `config.phases[1]`. */
  path: string;
  name?: string;
  durationSec: number;
  /** Arrivals per second at the start (and the end, without rampTo). */
  arrivalRate?: number;
  rampTo?: number;
  /** Arrivals spread evenly over the phase. */
  arrivalCount?: number;
  /** A phase with no arrivals (pause, or a rate of 0). */
  pause: boolean;
  maxVusers?: number;
}

export interface PayloadModel extends PayloadOptions {
  path: string;
  /** As written (relative to the script). */
  file: string;
  /** Absolute. */
  absFile: string;
}

/** A request as written, function names unresolved. */
export interface RequestModel extends RequestFields {
  capture?: CaptureSpec[];
  /** An expression, or (when the processor has a function of that name) a function name. */
  ifTrue?: string;
  ifTrueIsFunction?: boolean;
  probability?: number;
  beforeRequest?: string[];
  afterResponse?: string[];
}

export type StepModel =
  | { kind: 'request'; path: string; method: string; request: RequestModel }
  | { kind: 'think'; path: string; seconds: number | string; jitter?: string }
  | { kind: 'function'; path: string; name: string; hook?: 'beforeScenario' | 'afterScenario' }
  | { kind: 'log'; path: string; message: unknown }
  | {
      kind: 'loop';
      path: string;
      options: Omit<LoopOptions, 'whileTrue'> & { whileTrue?: string };
      steps: StepModel[];
    }
  | { kind: 'parallel'; path: string; limit?: number; steps: StepModel[] };

export interface ScenarioModel {
  path: string;
  name: string;
  weight: number;
  steps: StepModel[];
  beforeRequest: string[];
  afterResponse: string[];
  onError: string[];
}

export interface EnsureModel {
  /** Legacy keys: `p95: 200` means http.response_time.p95 < 200. */
  legacy: { key: string; value: number; path: string }[];
  maxErrorRate?: { value: number; path: string };
  thresholds: { metric: string; value: number; path: string }[];
  conditions: { expression: string; strict: boolean; path: string }[];
}

export interface CheckModel {
  path: string;
  name: string;
  sql?: string;
  /** Connection URL, templated with `$env` when the check runs (default `{{ $env.DATABASE_URL }}`). */
  url?: string;
  function?: string;
  every?: string | number;
  before?: boolean;
  after?: boolean;
  description?: string;
}

export interface ScriptModel {
  /** Absolute path of the script. */
  file: string;
  dir: string;
  target: string;
  /** The target as written when it is templated (`{{ $env.TARGET }}`). */
  targetSource?: string;
  environment?: string;
  environments: string[];
  phases: PhaseModel[];
  payloads: PayloadModel[];
  variables: Record<string, unknown>;
  defaults: {
    headers?: Record<string, unknown>;
    cookie?: Record<string, unknown>;
    strictCapture?: boolean;
    think?: { jitter?: string };
  };
  /** http.timeout in seconds. */
  timeoutSec: number;
  /** http.pool: connections per worker thread. */
  pool?: number;
  processor?: { file: string; absFile: string };
  expect?: ExpectPluginOptions;
  ensure: EnsureModel;
  scenarios: ScenarioModel[];
  checks: CheckModel[];
  /** `config.loadproof.validity`: the run-validity limits the script changes. */
  validity?: ValidityInput;
}
