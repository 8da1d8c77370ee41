/**
 * How one executor runs, the engine's side of its folder (`<name>/run.ts`): its run of a
 * thread's share of a scenario and, for the open model, the schedule its arrivals follow (which
 * run validity also counts planned arrivals by). The registry of these (`run-registry.ts`) is
 * keyed by the names of the definitions' registry (`index.ts`).
 */
import type { Pacer } from '../engine/pacer.ts';
import type { ConfigOf, ExecutorName } from './index.ts';
import type { ExecutorContext } from './run-context.ts';

export interface ExecutorRun<E extends ExecutorName> {
  /** Runs this thread's share of the scenario: paces its VUs until the scenario's time is up. */
  run(ctx: ExecutorContext<ConfigOf<E>>): Promise<void>;
  /** The open model's schedule of arrivals; a closed model has none. */
  pacer?(config: ConfigOf<E>): Pacer;
}
