/**
 * The plan's setup() before the load and teardown() after it, each within its time limit. A
 * setup() that fails stops the run (SetupError); a teardown() that fails is reported and makes
 * the verdict NO-GO, the run's figures kept.
 */
import { SetupError } from '../errors.ts';
import type { Plan } from '../plan/types.ts';
import { withinTime } from './within-time.ts';

/** setup()'s and teardown()'s time limit when the plan sets none (k6's). */
export const HOOK_TIMEOUT_MS = 60_000;

export async function runSetup(
  plan: Plan,
  env: Record<string, string | undefined>,
  inWorkers: boolean,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  if (!plan.setup) return undefined;
  let setup: unknown;
  try {
    const setupFn = plan.setup;
    const ctx = { env, target: plan.target };
    setup = await withinTime('setup()', plan.setupTimeoutMs ?? HOOK_TIMEOUT_MS, () => setupFn(ctx), signal);
  } catch (e) {
    throw new SetupError(`setup() failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (inWorkers) {
    try {
      structuredClone(setup);
    } catch {
      throw new SetupError('setup() must return plain data (it is copied to every worker thread)');
    }
  }
  return setup;
}

/** Runs teardown(); returns what went wrong, or undefined when it ended well (or there is none). */
export async function runTeardown(
  plan: Plan,
  setup: unknown,
  env: Record<string, string | undefined>,
  forceSignal: AbortSignal | undefined,
): Promise<string | undefined> {
  if (!plan.teardown) return undefined;
  const teardownFn = plan.teardown;
  const ctx = { env, target: plan.target };
  try {
    // A second signal ends a teardown() that does not: the run is written, NO-GO.
    await withinTime(
      'teardown()',
      plan.teardownTimeoutMs ?? HOOK_TIMEOUT_MS,
      () => teardownFn(setup, ctx),
      forceSignal,
    );
    return undefined;
  } catch (e) {
    return `teardown() failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}
