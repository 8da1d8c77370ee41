/**
 * What loading a mutant in this process gives, through the same path `loadproof run` takes
 * before any load (loadPlanFile, the data files, the CLI shortcuts): a plan, or a refusal that
 * exits 2 with a message. Anything else (another exception, a stack trace in the message, a
 * load that takes too long, a warning printed) is a bug the fuzzer found.
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
  // A warning (from Node.js or a library) would reach the user's stderr as noise beside the
  // message, or instead of one.
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  let outcome: Outcome;
  try {
    const loaded = await loadPlanFile(file, { env });
    loadData(loaded.plan.data, loaded.baseDir);
    outcome = { kind: 'plan', plan: applyOverrides(loaded.plan, overrides), ms: ms() };
  } catch (e) {
    const refused =
      e instanceof LoadproofError && exitCodeOf(e) === 2 && e.message.trim() && !STACK_FRAME.test(e.message);
    outcome = refused
      ? { kind: 'refused', message: (e as Error).message, ms: ms() }
      : { kind: 'bug', error: e instanceof Error ? (e.stack ?? e.message) : String(e), ms: ms() };
  }
  // Warnings are emitted on the next tick.
  await new Promise((resolve) => setImmediate(resolve));
  process.off('warning', onWarning);
  return warnings.length ? { kind: 'bug', error: warnings.join('\n'), ms: outcome.ms } : outcome;
}
