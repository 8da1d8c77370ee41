/** Writes results.json atomically: a reader never sees half a file. */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import type { ResultsFile } from '../results/types.ts';

/**
 * Makes sure results can be written to `dir` (creating it), before any load is sent: a run must
 * never end with nowhere to put what it measured.
 */
export function assertWritableFolder(dir: string): void {
  const probe = join(dir, `.loadproof-write-test.${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // Node's own messages start with the code already ("EACCES: permission denied, ...").
    const detail = err.message.startsWith(`${err.code}:`)
      ? err.message
      : `${err.code ?? 'error'}: ${err.message}`;
    throw new UsageError(`--out ${dir}: cannot write results there (${detail})`);
  }
}

export function writeResultsFile(dir: string, results: ResultsFile, name = 'results.json'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(tmp, path);
  return path;
}

/** `results/2026-11-22T16-10-08`: a folder name that sorts by time. */
export function timestampFolder(root = 'results', at = new Date()): string {
  return join(root, at.toISOString().slice(0, 19).replace(/:/g, '-'));
}
