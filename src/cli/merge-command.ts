/**
 * `loadproof merge <shard results...> [--plan PLAN] --out DIR`: the shards of one run judged as
 * that run. Each input is a shard's results.json, or a log holding framed results lines (what
 * `--results-to stdout` prints; `kubectl logs` of a shard's pod).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, InputFileError } from '../errors.ts';
import { renderConsoleSummary } from '../outputs/console-summary.ts';
import { wantsColor } from '../outputs/format.ts';
import { assertWritableFolder, writeResultsFile } from '../outputs/write-results.ts';
import { parseResultsFile } from '../report/read.ts';
import { writeReports } from '../report/write.ts';
import { unframeResults } from '../results/results-frame.ts';
import { mergeShards, type ShardFile } from '../run/merge-shards.ts';

export interface MergeFlags {
  out: string;
  plan?: string;
  quiet?: boolean;
}

/** Reads every input before anything is written: a bad one stops the merge with its name. */
export function readShardInputs(paths: string[]): ShardFile[] {
  const files: ShardFile[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new InputFileError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    if (text.trimStart().startsWith('{')) {
      files.push({ name: path, results: parseResultsFile(path, text) });
      continue;
    }
    let framed: ReturnType<typeof unframeResults>;
    try {
      framed = unframeResults(text);
    } catch (e) {
      throw new InputFileError(`${path}: a framed results line is damaged (${(e as Error).message})`);
    }
    if (framed.length === 0)
      throw new InputFileError(`${path}: neither a results.json nor a log with a framed results line`);
    for (const [k, results] of framed.entries())
      files.push({ name: framed.length > 1 ? `${path}#${k + 1}` : path, results });
  }
  return files;
}

export async function mergeCommand(paths: string[], flags: MergeFlags): Promise<number> {
  return judgeShards(readShardInputs(paths), flags);
}

/**
 * Merges shards read already, writes the merged results.json and reports to `flags.out` and
 * returns the merged verdict's exit code (also for `loadproof k8s run` and `k8s collect`).
 */
export async function judgeShards(inputs: ShardFile[], flags: MergeFlags): Promise<number> {
  const out = resolve(flags.out);
  assertWritableFolder(out);
  // The plan's code (its top level, its checks) runs in a thread of its own, not in this one,
  // which judges; that thread is started only when a plan is given.
  const hosted = flags.plan ? await loadPlanForJudging(flags.plan) : undefined;
  let results: Awaited<ReturnType<typeof mergeShards>>;
  try {
    results = await mergeShards(inputs, {
      ...(hosted ? { plan: hosted.plan } : {}),
      onLog: (m) => {
        if (!flags.quiet) process.stderr.write(`${m}\n`);
      },
    });
  } finally {
    await hosted?.close();
  }
  const path = writeResultsFile(out, results);
  const reports = writeReports(out, [results]);
  if (!flags.quiet)
    process.stdout.write(
      `${renderConsoleSummary(results, { color: wantsColor(process.stdout) })}\n\nresults: ${path}\nreports: ${reports.join(', ')}\n`,
    );
  if (results.verdict.status === 'INCOMPLETE') return EXIT.incomplete;
  return results.verdict.status === 'GO' ? EXIT.go : EXIT.noGo;
}

async function loadPlanForJudging(path: string) {
  const { loadPlanInHost } = await import('../run/user-code-host.ts');
  const { initTimeoutMs } = await import('../run/init-timeout.ts');
  return loadPlanInHost(path, {}, { initTimeoutMs: initTimeoutMs(process.env) });
}
