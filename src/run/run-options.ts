/** What `runPlan` is given: the plan, how to run it, where its figures go while it runs. */
import type { LiveOutput } from '../outputs/live-output.ts';
import type { Progress } from '../outputs/progress.ts';
import type { PlanFileOptions } from '../plan/load.ts';
import type { Overrides } from '../plan/overrides.ts';
import type { Plan } from '../plan/types.ts';
import type { ShardIdentity } from './shard-recorder.ts';

export interface RunOptions {
  plan: Plan;
  /** The plan's file: needed to run on more than one thread (each thread imports it). */
  file?: string;
  baseDir?: string;
  workers?: number;
  overrides?: Overrides;
  /** How the plan file was read, so that every worker reads it the same way. */
  planOptions?: PlanFileOptions;
  env?: Record<string, string>;
  /** Aborting it stops the run gracefully (a signal); its reason names the signal. */
  signal?: AbortSignal;
  /** Aborting it stops the run at once (a second signal): in-flight requests are aborted (ABORTED), a worker that does not hand over its last tick within 3 s is terminated, after checks and teardown are skipped, what was collected is returned. */
  forceSignal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /**
   * Live outputs (`createOutputs` from the registry, or any `LiveOutput`): started before the
   * load, given each second as it closes, ended with the results. One that keeps something after
   * its end (a /metrics endpoint that lingers) is closed by the caller with `closeOutputs`.
   */
  outputs?: readonly LiveOutput[];
  onLog?: (message: string) => void;
  /** Called when a hook of the plan (`teardown()`) fails, with what it said (also logged). */
  onHookFailure?: (message: string) => void;
  /** This process is one shard of a sharded run: it takes its segment and is judged only once merged. */
  shard?: ShardIdentity;
  /** Wall-clock time (epoch ms) at which the load starts, agreed by every shard; now by default. */
  startAtMs?: number;
}
