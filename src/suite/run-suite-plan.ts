/**
 * Runs one suite plan file with a profile and writes its results.json under a name of its own,
 * with a progress line on stderr. What npm start and the suites' scripts share.
 */
import { basename } from 'node:path';
import { progressDisplay } from '../outputs/progress.ts';
import { writeResultsFile } from '../outputs/write-results.ts';
import { loadPlanFile } from '../plan/load.ts';
import type { ResultsFile } from '../results/types.ts';
import { runPlan } from '../run/run.ts';

export interface SuitePlanRun {
  /** e.g. `clinic-contention`. */
  name: string;
  file: string;
  results: ResultsFile;
  path: string;
}

export async function runSuitePlan(o: {
  name: string;
  file: string;
  outDir: string;
  env: Record<string, string>;
  workers?: number;
  quiet?: boolean;
  signal?: AbortSignal;
}): Promise<SuitePlanRun> {
  // Plans read their profile and URLs from the environment when they are imported, in this
  // thread and in every worker (workers copy process.env when they start).
  Object.assign(process.env, o.env);
  const loaded = await loadPlanFile(o.file);
  const progress = progressDisplay(process.stderr, o.quiet === true);
  if (!o.quiet) process.stderr.write(`▶ ${o.name} (${basename(o.file)})\n`);
  try {
    const results = await runPlan({
      plan: loaded.plan,
      file: loaded.file,
      baseDir: loaded.baseDir,
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (p) => progress.update(p),
      onLog: (m) => {
        progress.done();
        if (!o.quiet) process.stderr.write(`  ${m}\n`);
      },
    });
    const path = writeResultsFile(o.outDir, results, `${o.name}.results.json`);
    return { name: o.name, file: o.file, results, path };
  } finally {
    progress.done();
  }
}
