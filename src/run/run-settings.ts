/**
 * What a run is set to before anything runs: the plan with its overrides, the threads, the
 * environment, the data files, the shard's segment, and a log that never shows a secret. Bad
 * input (workers, the HTTP client, a shard's segment, a start already past) is refused here.
 */
import { envImplementation } from '../engine/http-client.ts';
import { Segment } from '../engine/segment.ts';
import { workerHeapMb } from '../engine/threads.ts';
import { UsageError } from '../errors.ts';
import { loadData } from '../plan/data.ts';
import { applyOverrides } from '../plan/overrides.ts';
import type { Plan } from '../plan/types.ts';
import { redactString } from '../results/without-secrets.ts';
import { initTimeoutMs } from './init-timeout.ts';
import { plannedDurationMs } from './planned-time.ts';
import type { RunOptions } from './run-options.ts';
import type { ShardIdentity } from './shard-recorder.ts';
import { assertStartReachable, segmentProblems } from './shard-start.ts';
import { defaultWorkers } from './workers.ts';

export interface RunSettings {
  plan: Plan;
  workers: number;
  /** With a plan file, flows run only in worker threads: the main thread stays free to stop, judge and write. */
  inWorkers: boolean;
  heapMb: number | undefined;
  env: Record<string, string | undefined>;
  readyWithinMs: number;
  data: Record<string, readonly unknown[]>;
  shard: ShardIdentity | undefined;
  segment: Segment;
  /** The checks before and during the load run in the first shard only (all of them without shards). */
  firstShard: boolean;
  log: (message: string) => void;
}

export function runSettings(options: RunOptions): RunSettings {
  const plan = applyOverrides(options.plan, options.overrides ?? {});
  const workers = options.workers ?? (options.file ? defaultWorkers(plan.target) : 1);
  if (!Number.isInteger(workers) || workers < 1)
    throw new UsageError(`--workers must be a positive integer, got ${workers}`);
  if (workers > 1 && !options.file)
    throw new UsageError('running on several workers needs the plan as a file');
  // The HTTP client is chosen in every thread from the environment: a bad choice is the user's
  // input, refused before setup() or any load runs.
  try {
    envImplementation();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  // What a run logs may quote a check's message or a worker's error: no secret in it.
  const log = (message: string) => options.onLog?.(redactString(message));
  const shard = options.shard;
  const segment = shard?.segment ?? Segment.whole();
  if (shard) for (const note of segmentProblems(plan, segment)) log(note);
  if (options.startAtMs !== undefined) assertStartReachable(options.startAtMs, plannedDurationMs(plan));
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  return {
    plan,
    workers,
    inWorkers: options.file !== undefined,
    heapMb: workerHeapMb(process.env),
    env,
    readyWithinMs: initTimeoutMs(env),
    data: loadData(plan.data, options.baseDir ?? process.cwd()),
    shard,
    segment,
    firstShard: !shard || segment.position === 0,
    log,
  };
}
