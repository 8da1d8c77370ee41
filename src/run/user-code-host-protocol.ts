/** Messages between the main thread and the user-code host (user-code-host.ts). */
import type { ErrorData } from '../errors.ts';
import type { PlanFileOptions } from '../plan/load.ts';

export interface HostData {
  file: string;
  planOptions: PlanFileOptions;
}

/** What a function check is given across the thread boundary: counters as figures, not functions. */
export interface CheckContextData {
  setup: unknown;
  env: Record<string, string | undefined>;
  phase: 'before' | 'during' | 'after';
  counters: Record<string, number>;
}

export type MainToHost = { type: 'call'; call: number; fn: number; args: unknown[] };

export type HostToMain =
  | { type: 'loaded'; input: unknown; file: string; warnings: string[] }
  | { type: 'failed'; error: ErrorData }
  | { type: 'returned'; call: number; value: unknown }
  | { type: 'threw'; call: number; error: ErrorData };
