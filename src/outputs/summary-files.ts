/**
 * Writes what a plan's `handleSummary(results)` returned, as k6 does: `stdout` and `stderr` to
 * those streams, any other key to that file (relative to the working folder, folders made). A
 * hook that throws or returns something else is reported, and the default summary stands.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ResultsFile } from '../results/types.ts';

export type SummaryHook = (results: ResultsFile) => unknown;

/** Runs the hook and writes its files; returns its `stdout` text if it gave one. */
export async function writeSummaryFiles(
  hook: SummaryHook,
  results: ResultsFile,
  log: (message: string) => void,
): Promise<string | undefined> {
  let files: unknown;
  try {
    files = await hook(structuredClone(results));
  } catch (e) {
    log(
      `handleSummary() failed: ${e instanceof Error ? e.message : String(e)}; the default summary is printed`,
    );
    return undefined;
  }
  if (files === undefined || files === null) return undefined;
  if (typeof files !== 'object' || Array.isArray(files)) {
    log(
      `handleSummary() must return an object { path: content }, got ${Array.isArray(files) ? 'an array' : typeof files}`,
    );
    return undefined;
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
  return stdout;
}
