/**
 * The `artillery` namespace of loadproof's public API: what plans written by
 * `loadproof convert` use to run Artillery scenarios with Artillery's semantics.
 */
export type { CaptureSpec } from './capture.ts';
export type { ExpectSpec } from './expectations.ts';
export { loadPayload, type Payload, type PayloadOptions } from './payload.ts';
export { type ArtilleryFn, loadProcessor, type Processor } from './processor.ts';
export {
  type ArtilleryContext,
  ArtilleryScript,
  ArtilleryUserError,
  ArtilleryVu,
  checkUrl,
  type ExpectPluginOptions,
  fromEnv,
  type LoopOptions,
  type RequestSpec,
  type ScenarioSpec,
  type ScriptOptions,
  script,
} from './runtime.ts';
export { template } from './template.ts';
