/**
 * An Artillery script's shared part, one per thread: its options and default headers, the
 * weighted flows of a phase, and one arrival run as a new virtual user (Artillery's
 * `vusers.created`, `vusers.completed`, `vusers.failed` and `errors.<code>`).
 */
import type { Vu, WeightedFlow } from '../types.ts';
import { lowerKeys } from './request-options.ts';
import type { ScenarioSpec, ScriptOptions } from './script-types.ts';
import { ArtilleryUserError } from './user-error.ts';
import { ArtilleryVu } from './virtual-user.ts';

/** An Artillery script's shared part: one per thread, used by every arrival. */
export class ArtilleryScript {
  readonly target: string;
  private readonly defaultHeaders: Record<string, unknown>;

  constructor(readonly options: ScriptOptions) {
    this.target = options.target.replace(/\/+$/, '');
    this.defaultHeaders = lowerKeys(options.defaults?.headers);
  }

  get headers(): Record<string, unknown> {
    return this.defaultHeaders;
  }

  /** The weighted flows of one phase; `firstArrival` numbers its first arrival in the whole run. */
  flows(firstArrival: number, scenarios: readonly ScenarioSpec[]): WeightedFlow[] {
    return scenarios
      .filter((s) => (s.weight ?? 1) > 0)
      .map((s) => ({
        name: s.name,
        weight: s.weight ?? 1,
        flow: (vu: Vu) => this.run(vu, firstArrival + vu.scenarioIteration, s),
      }));
  }

  /** One arrival: a new Artillery virtual user runs the scenario once. */
  async run(vu: Vu, arrival: number, scenario: ScenarioSpec): Promise<void> {
    const u = new ArtilleryVu(this, vu, arrival, scenario);
    vu.metrics.counter('vusers.created', 1);
    try {
      await scenario.run(u);
    } catch (e) {
      if (!vu.signal.aborted) {
        vu.metrics.rate('vusers.failed', true);
        const code = e instanceof ArtilleryUserError ? e.code : (e as Error)?.message || String(e);
        vu.metrics.counter(`errors.${code}`, 1);
      }
      throw e;
    }
    vu.metrics.rate('vusers.failed', false);
    vu.metrics.counter('vusers.completed', 1);
  }
}

/** A new script runtime (what converted plans call). */
export function script(options: ScriptOptions): ArtilleryScript {
  return new ArtilleryScript(options);
}
