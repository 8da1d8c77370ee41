/** Writes results.json atomically: a reader never sees half a file. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { resultsWithoutSecrets } from '../results/results-without-secrets.ts';
import type { ResultsFile } from '../results/types.ts';
import { writeFileAtomic } from './atomic-file.ts';

/** A file system error in words: Node's own messages start with the code already. */
export function fileErrorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.message.startsWith(`${err.code}:`) ? err.message : `${err.code ?? 'error'}: ${err.message}`;
}

/**
 * Makes sure results can be written to `dir` (creating it), before any load is sent: a run must
 * never end with nowhere to put what it measured. `flag` names where the folder came from.
 */
export function assertWritableFolder(dir: string, flag = '--out'): void {
  const probe = join(dir, `.loadproof-write-test.${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new UsageError(`${flag} ${dir}: cannot write results there (${fileErrorText(e)})`);
  }
}

export function writeResultsFile(dir: string, results: ResultsFile, name = 'results.json'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileAtomic(
    path,
    `${JSON.stringify(resultsWithoutSecrets(results), null, 2)}
`,
  );
  return path;
}

/** `results/2026-11-22T16-10-08`: a folder name that sorts by time. */
export function timestampFolder(root = 'results', at = new Date()): string {
  return join(root, at.toISOString().slice(0, 19).replace(/:/g, '-'));
}
