/** Messages between the main thread and the worker threads. */
import type { ErrorData } from '../errors.ts';
import type { PlanFileOptions } from '../plan/load.ts';
import type { Overrides } from '../plan/overrides.ts';
import type { SegmentSpec } from './segment.ts';
import type { Tick } from './thread-run.ts';

export interface WorkerData {
  file: string;
  index: number;
  count: number;
  setup: unknown;
  env: Record<string, string | undefined>;
  overrides: Overrides;
  /** The part of the run this process takes, when it is one shard of several. */
  segment?: SegmentSpec;
  planOptions: PlanFileOptions;
  /** An Activity's buffer: where the worker's flows last ran. */
  activity: SharedArrayBuffer;
  /** An InFlightRequests' buffer: the worker's requests sent and not yet recorded. */
  inFlight: SharedArrayBuffer;
  /** The run's endpoint series limit, shared by every worker (`SeriesLimit.buffer`). */
  seriesLimit: SharedArrayBuffer;
  /** What the process has run so far, shared by every worker (`InstanceCounts.buffer`). */
  instance: SharedArrayBuffer;
}

/** `stop`: start nothing new, let in-flight iterations finish; `abort`: abort what is in flight now. */
export type MainToWorker = { type: 'start'; epoch: number } | { type: 'stop' } | { type: 'abort' };

export type WorkerToMain =
  | { type: 'ready'; index: number }
  | { type: 'tick'; index: number; tick: Tick }
  | { type: 'log'; message: string }
  | { type: 'done'; index: number }
  | { type: 'error'; error: ErrorData };
