/**
 * `loadproof merge <shard results...> [--plan PLAN] --out DIR`: the shards of one run judged as
 * that run. Each input is a shard's results.json, or a log holding framed results lines (what
 * `--results-to stdout` prints; `kubectl logs` of a shard's pod).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, IncompleteRunError, InputFileError } from '../errors.ts';
import { renderConsoleSummary } from '../outputs/console-summary.ts';
import { wantsColor } from '../outputs/format.ts';
import { assertWritableFolder, writeResultsFile } from '../outputs/write-results.ts';
import { parseResultsFile } from '../report/read.ts';
import { writeReports } from '../report/write.ts';
import { unframeResults } from '../results/results-frame.ts';
import { isUnfinishedRun } from '../results/unfinished-run.ts';
import { mergeValidShards, type Shard, type ShardFile, validateShards } from '../run/merge-shards.ts';
import { planHash } from './shard-flags.ts';

export interface MergeFlags {
  out: string;
  plan?: string;
  /** Judge by `plan` even when its hash differs from the shards' (every report then says so). */
  planMismatchOk?: boolean;
  quiet?: boolean;
  /** k6 scripts given with --plan: remote modules from the module cache only. */
  offline?: boolean;
}

/**
 * Reads every input before anything is written: a bad one stops the merge with its name. A
 * shard's unfinished-run marker (the shard was killed, or still runs) is no results: it is
 * named in `unfinished`, and the merge counts that shard as missing.
 */
export function readShardInputs(paths: string[]): { files: ShardFile[]; unfinished: string[] } {
  const files: ShardFile[] = [];
  const unfinished: string[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new InputFileError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    if (text.trimStart().startsWith('{')) {
      const marker = unfinishedShardMarker(path, text);
      if (marker) unfinished.push(marker);
      else files.push({ name: path, results: parseResultsFile(path, text) });
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
  return { files, unfinished };
}

/** What a shard's unfinished-run marker says, in words; undefined for anything else. */
function unfinishedShardMarker(path: string, text: string): string | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isUnfinishedRun(data) || !data.shard) return undefined;
  return `${path}: shard ${data.shard.segment} of run ${data.shard.runId} did not finish (started ${data.startedAt}, pid ${data.pid}; killed, or still running): counted as missing`;
}

export async function mergeCommand(paths: string[], flags: MergeFlags): Promise<number> {
  const { files, unfinished } = readShardInputs(paths);
  if (files.length === 0 && unfinished.length > 0)
    throw new IncompleteRunError(`no shard finished: nothing to merge\n${unfinished.join('\n')}`);
  for (const u of unfinished) process.stderr.write(`${u}\n`);
  return judgeShards(files, flags);
}

/**
 * The plan named with `--plan`, read with the Artillery environment the shards recorded, and its
 * hash made as the shards made theirs (the plan file's bytes and the options they hashed).
 */
async function loadNamedPlan(path: string, shards: Shard[], offline: boolean) {
  const hashed = shards[0]?.record.hashedOptions ?? { overrides: {}, environment: null };
  // The plan's code (its top level, its checks) runs in a thread of its own, not in this one,
  // which judges; the host and the plan loader are imported only when a plan is given.
  const { loadPlanInHost } = await import('../run/user-code-host.ts');
  const { initTimeoutMs } = await import('../run/init-timeout.ts');
  const hosted = await loadPlanInHost(
    path,
    {
      ...(hashed.environment !== null ? { environment: hashed.environment } : {}),
      ...(offline ? { offline: true } : {}),
    },
    { initTimeoutMs: initTimeoutMs(process.env) },
  );
  return { plan: hosted.plan, hash: planHash(hosted.file, hashed), close: () => hosted.close() };
}

/**
 * Merges shards read already, writes the merged results.json and reports to `flags.out` and
 * returns the merged verdict's exit code (also for `loadproof k8s run` and `k8s collect`).
 */
export async function judgeShards(inputs: ShardFile[], flags: MergeFlags): Promise<number> {
  const out = resolve(flags.out);
  assertWritableFolder(out);
  // The shards are checked before the plan's code runs: files that are not one run stop here.
  const shards = validateShards(inputs);
  const named =
    flags.plan !== undefined ? await loadNamedPlan(flags.plan, shards, flags.offline === true) : undefined;
  let results: Awaited<ReturnType<typeof mergeValidShards>>;
  try {
    results = await mergeValidShards(shards, {
      ...(named
        ? {
            plan: named.plan,
            planHash: named.hash,
            planFile: flags.plan as string,
            ...(flags.planMismatchOk ? { planMismatchOk: true } : {}),
          }
        : {}),
      onLog: (m) => {
        if (!flags.quiet) process.stderr.write(`${m}\n`);
      },
    });
  } finally {
    await named?.close();
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
