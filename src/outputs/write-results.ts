/** Writes results.json atomically: a reader never sees half a file. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultsFile } from './results-types.ts';

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
