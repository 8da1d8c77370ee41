/**
 * As a run starts, the files it will write at its end stop holding an earlier run's results:
 * results.json in the results folder and the `--summary-export` file become the unfinished-run
 * marker (results/unfinished-run.ts), and the folder's reports of an earlier run are removed.
 * Killed at any point after that, the run leaves nothing that looks like a GO.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import type { UnfinishedRun } from '../results/unfinished-run.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { fileErrorText } from './write-results.ts';

/** The reports `loadproof run` writes beside results.json (report/write.ts). */
export const REPORT_FILES = ['report.html', 'results.md', 'junit.xml'] as const;

export function markRunUnfinished(marker: UnfinishedRun, outDir: string, summaryExport?: string): void {
  const text = `${JSON.stringify(marker, null, 2)}\n`;
  const place = (path: string, flag: string, write: () => void) => {
    try {
      write();
    } catch (e) {
      throw new UsageError(`${flag} ${path}: cannot write there (${fileErrorText(e)})`);
    }
  };
  const results = join(outDir, 'results.json');
  place(results, '--out', () => writeFileAtomic(results, text));
  for (const name of REPORT_FILES) {
    const path = join(outDir, name);
    place(path, '--out', () => rmSync(path, { force: true }));
  }
  if (summaryExport !== undefined)
    place(summaryExport, '--summary-export', () => writeFileAtomic(summaryExport, text));
}
