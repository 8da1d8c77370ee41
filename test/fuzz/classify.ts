/**
 * What loading a mutant in this process gives, through the same path `loadproof run` takes
 * before any load (loadPlanFile, the data files, the CLI shortcuts): a plan, or a refusal that
 * exits 2 with a message. Anything else (another exception, a stack trace in the message, a
 * load that takes too long) is a bug the fuzzer found.
 */
import { exitCodeOf, LoadproofError } from '../../src/errors.ts';
import { loadData } from '../../src/plan/data.ts';
import { loadPlanFile } from '../../src/plan/load.ts';
import { applyOverrides, type Overrides } from '../../src/plan/overrides.ts';
import type { Plan } from '../../src/plan/types.ts';

export type Outcome =
  | { kind: 'plan'; plan: Plan; ms: number }
  | { kind: 'refused'; message: string; ms: number }
  | { kind: 'bug'; error: string; ms: number };

/** A stack frame as V8 prints one: what a user must never see for bad input. */
export const STACK_FRAME = /\n\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>)/;

export async function classify(
  file: string,
  env: Record<string, string>,
  overrides: Overrides = {},
): Promise<Outcome> {
  const start = performance.now();
  const ms = () => Math.round(performance.now() - start);
  try {
    const loaded = await loadPlanFile(file, { env });
    loadData(loaded.plan.data, loaded.baseDir);
    return { kind: 'plan', plan: applyOverrides(loaded.plan, overrides), ms: ms() };
  } catch (e) {
    if (
      e instanceof LoadproofError &&
      exitCodeOf(e) === 2 &&
      e.message.trim() &&
      !STACK_FRAME.test(e.message)
    )
      return { kind: 'refused', message: e.message, ms: ms() };
    const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    return { kind: 'bug', error, ms: ms() };
  }
}
