/**
 * `loadproof k8s collect <job> [--namespace NS] [--plan PLAN] [--out DIR]`: for a sharded run's
 * Job, reads each completion index's framed results from its pod's log, merges them as
 * `loadproof merge` does, writes the reports and returns the merged verdict's exit code. An index
 * without results makes the run INCOMPLETE (exit 4); a failed Job says which index failed and why.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IncompleteRunError } from '../errors.ts';
import { collectShardResults } from '../k8s/collect-shard-logs.ts';
import { type JobState, jobFailureLines } from '../k8s/job-status.ts';
import { findKubectl, type Kubectl, kubectlAt } from '../k8s/kubectl.ts';
import { getJobState } from '../k8s/wait-for-job.ts';
import { assertWritableFolder } from '../outputs/write-results.ts';
import type { ShardFile } from '../run/merge-shards.ts';
import { checkNamespace } from './k8s-command.ts';
import { judgeShards } from './merge-command.ts';

export interface K8sCollectFlags {
  namespace?: string;
  plan?: string;
  out?: string;
  kubectl?: string;
  quiet?: boolean;
}

export interface CollectOptions {
  namespace: string;
  out: string;
  plan?: string;
  quiet?: boolean;
  log: (line: string) => void;
}

/** Collects, merges and judges the shards of `job`; writes each index's log under OUT/shards/. */
export async function collectAndJudge(kubectl: Kubectl, job: JobState, o: CollectOptions): Promise<number> {
  const out = resolve(o.out);
  assertWritableFolder(out);
  if (!job.finished) o.log(`job ${job.name} has not finished: collecting what its pods have written so far`);
  const { indexes, pods } = await collectShardResults(kubectl, job, o.namespace);
  if (pods.length === 0) o.log(`job ${job.name} has no pods: never scheduled, or deleted with their logs`);
  if (job.finished === 'failed') for (const line of jobFailureLines(job, pods)) o.log(line);
  const logs = join(out, 'shards');
  mkdirSync(logs, { recursive: true });
  const files: ShardFile[] = [];
  for (const r of indexes) {
    if (r.log !== undefined) writeFileSync(join(logs, `index-${r.index}.log`), r.log);
    if (r.results) {
      files.push({ name: `index ${r.index} (pod ${r.pod})`, results: r.results });
      o.log(`index ${r.index}: results from pod ${r.pod}`);
    } else o.log(`index ${r.index}: no results: ${r.missing}`);
  }
  if (files.length === 0)
    throw new IncompleteRunError(
      `job ${job.name}: none of its ${job.completions} index(es) left results, there is nothing to merge`,
    );
  return judgeShards(files, {
    out,
    ...(o.plan !== undefined ? { plan: o.plan } : {}),
    ...(o.quiet ? { quiet: true } : {}),
  });
}

export async function k8sCollectCommand(name: string, flags: K8sCollectFlags): Promise<number> {
  const namespace = checkNamespace(flags.namespace);
  const kubectl = kubectlAt(findKubectl(flags.kubectl));
  const job = await getJobState(kubectl, name, namespace);
  return collectAndJudge(kubectl, job, {
    namespace,
    out: flags.out ?? join('results', name),
    ...(flags.plan !== undefined ? { plan: flags.plan } : {}),
    ...(flags.quiet ? { quiet: true } : {}),
    log: (line) => {
      if (!flags.quiet) process.stderr.write(`${line}\n`);
    },
  });
}
