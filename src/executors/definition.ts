/**
 * What one executor knows about itself, as plain data and pure functions: the keys its scenarios
 * may hold (and which of them k6 has), how they are validated, how long it runs, how many VUs it
 * needs at most, what it aims at a given moment, how the CLI's shortcuts change it, and the
 * defaults k6 gives it. Everything that names executors (validation, k6 scripts, the progress
 * display, the schema test) reads the registry of these (`index.ts`). The engine runs it
 * (`<name>/run.ts`, in `run-registry.ts`), keyed by the same name.
 */
import type { Issues } from '../plan/issues.ts';
import type { ExecutorName, ScenarioConfig, ScenarioInput } from '../plan/types.ts';

export type { ExecutorName } from '../plan/types.ts';
export type ConfigOf<E extends ExecutorName> = Extract<ScenarioConfig, { executor: E }>;

/**
 * The scenario keys an executor's plans may write beside the ones every scenario has (its
 * `<name>/config.ts`): its `keys` are these, so a key listed there and missing from its type, or
 * misspelt, is a type error.
 */
export type OwnKeyOf<E extends ExecutorName> = Exclude<
  keyof Extract<ScenarioInput, { executor: E }>,
  keyof ScenarioInput
>;

/** The CLI's shortcuts (--duration, --rate, --vus), applied to every scenario. */
export interface Overrides {
  durationMs?: number;
  /** Iterations per second, for arrival-rate scenarios. */
  rate?: number;
  /** VUs for closed-model scenarios; maxVUs for arrival-rate ones. */
  vus?: number;
  /** `--insecure`: accept any TLS certificate, whatever the plan says. */
  insecure?: boolean;
}

/** What an executor's validation gets: the scenario as written, and the checks all share. */
export interface ScenarioFields {
  issues: Issues;
  /** The scenario's path in the plan (`scenarios.main`). */
  path: string;
  input: Record<string, unknown>;
  /** A rate per the scenario's timeUnit as a rate per second, bounded, reported at `path`. */
  perSec(path: string, rate: number): number;
}

export interface ExecutorDefinition<E extends ExecutorName> {
  name: E;
  /** Open model (iterations arrive on a schedule) or closed (VUs loop). */
  model: 'open' | 'closed';
  /** The scenario keys this executor reads, beside the ones every scenario has. */
  keys: readonly OwnKeyOf<E>[];
  /**
   * The ones of `keys` that loadproof adds and k6 does not have: a k6 script may not use them
   * (`test/executors/registry-agreement.test.ts` holds them to `keys` and to k6's).
   */
  loadproofOnlyKeys?: readonly string[];
  /**
   * The values k6 v0.47 gives a k6 script's scenario of this executor where loadproof has none or
   * another, from the scenario as the script wrote it; each applies only to a key left unset.
   */
  k6Defaults(scenario: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** The scenario's config, every problem reported to `fields.issues`. */
  validate(fields: ScenarioFields): ConfigOf<E>;
  /** Nominal length of the scenario (without gracefulStop). */
  durationMs(config: ConfigOf<E>): number;
  /** The most VUs the scenario can have at once. */
  peakVus(config: ConfigOf<E>): number;
  /** What the scenario aims at `sinceStartMs` into it, in words for the progress display. */
  targetAt(config: ConfigOf<E>, sinceStartMs: number): string;
  /**
   * The scenario under the shortcuts (`--rate` on a closed model is refused before). A shortcut
   * that cannot apply throws a UsageError naming the scenario.
   */
  override(scenario: string, config: ConfigOf<E>, o: Overrides): ScenarioConfig;
}
