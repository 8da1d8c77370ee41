/**
 * The `artillery` namespace of loadproof's public API: what plans written by
 * `loadproof convert` use to run Artillery scenarios with Artillery's semantics.
 */
export type { CaptureSpec } from './capture.ts';
export type { ExpectSpec } from './expectations.ts';
export { checkUrl, fromEnv } from './from-env.ts';
export { loadPayload, type Payload, type PayloadOptions } from './payload.ts';
export { type ArtilleryFn, loadProcessor, type Processor } from './processor.ts';
export { ArtilleryScript, script } from './script.ts';
export type {
  ArtilleryContext,
  ExpectPluginOptions,
  LoopOptions,
  RequestSpec,
  ScenarioSpec,
  ScriptOptions,
} from './script-types.ts';
export { template } from './template.ts';
export { ArtilleryUserError } from './user-error.ts';
export { ArtilleryVu } from './virtual-user.ts';
