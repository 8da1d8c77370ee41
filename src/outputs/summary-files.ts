/**
 * Writes what a plan's `handleSummary(results)` returned, as k6 does: `stdout` and `stderr` to
 * those streams, any other key to that file (relative to the working folder, folders made). A
 * hook that fails (throws, exits, runs out of time) is a failure the run reports; one that
 * returns something else is warned of. Either way the default summary stands.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ResultsFile } from '../results/types.ts';

export type SummaryHook = (results: ResultsFile) => unknown;

export interface SummaryOutcome {
  /** The hook's `stdout` text, if it gave one. */
  stdout?: string;
  /** Why the hook failed, if it did. */
  failure?: string;
}

/** Runs the hook and writes its files. */
export async function writeSummaryFiles(
  hook: SummaryHook,
  results: ResultsFile,
  log: (message: string) => void,
): Promise<SummaryOutcome> {
  let files: unknown;
  try {
    files = await hook(structuredClone(results));
  } catch (e) {
    const failure = `handleSummary() failed: ${e instanceof Error ? e.message : String(e)}`;
    log(`${failure}; the default summary is printed`);
    return { failure };
  }
  if (files === undefined || files === null) return {};
  if (typeof files !== 'object' || Array.isArray(files)) {
    log(
      `handleSummary() must return an object { path: content }, got ${Array.isArray(files) ? 'an array' : typeof files}`,
    );
    return {};
  }
  let stdout: string | undefined;
  for (const [key, content] of Object.entries(files as Record<string, unknown>)) {
    if (typeof content !== 'string' && !(content instanceof Uint8Array)) {
      log(`handleSummary(): "${key}" must be a string or bytes, got ${typeof content}`);
      continue;
    }
    if (key === 'stdout')
      stdout = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
    else if (key === 'stderr') process.stderr.write(content);
    else {
      const path = resolve(key);
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, content);
      } catch (e) {
        log(`handleSummary(): cannot write ${key}: ${(e as Error).message}`);
      }
    }
  }
  return stdout !== undefined ? { stdout } : {};
}
