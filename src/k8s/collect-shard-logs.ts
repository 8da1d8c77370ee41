/**
 * Collects each completion index's framed results from `kubectl logs` of its pod (selected by
 * the job-name label and the completion-index annotation). An index whose pods have no log, or
 * a log without a framed results line, is missing, with the reason: the merge then says
 * INCOMPLETE rather than judging part of the load as the whole.
 */
import { unframeResults } from '../results/results-frame.ts';
import type { ResultsFile } from '../results/types.ts';
import { CONTAINER_NAME } from './job-manifests.ts';
import {
  describePod,
  JOB_NAME_LABEL,
  type JobState,
  type PodView,
  podsByIndex,
  podsOf,
} from './job-status.ts';
import type { Kubectl } from './kubectl.ts';

export interface IndexResults {
  index: number;
  /** The pod whose log held the results, or the last one tried. */
  pod?: string;
  /** The whole log of that pod, as kubectl gave it. */
  log?: string;
  results?: ResultsFile;
  /** Why this index has no results. */
  missing?: string;
}

export async function listJobPods(kubectl: Kubectl, name: string, namespace: string): Promise<PodView[]> {
  const text = await kubectl.run([
    'get',
    'pods',
    '--namespace',
    namespace,
    '--selector',
    `${JOB_NAME_LABEL}=${name}`,
    '--output',
    'json',
  ]);
  return podsOf(JSON.parse(text) as Record<string, unknown>, CONTAINER_NAME);
}

async function resultsOfIndex(
  kubectl: Kubectl,
  namespace: string,
  index: number,
  pods: PodView[],
): Promise<IndexResults> {
  if (pods.length === 0) return { index, missing: 'no pod ran this index' };
  const reasons: string[] = [];
  let last: IndexResults = { index };
  for (const pod of pods) {
    let log: string;
    try {
      log = await kubectl.run([
        'logs',
        pod.name,
        '--namespace',
        namespace,
        '--container',
        CONTAINER_NAME,
        '--tail=-1',
      ]);
    } catch (e) {
      reasons.push(`${describePod(pod)}; its log cannot be read: ${(e as Error).message}`);
      continue;
    }
    last = { index, pod: pod.name, log };
    let frames: ResultsFile[];
    try {
      frames = unframeResults(log);
    } catch (e) {
      reasons.push(`${describePod(pod)}; its framed results line is damaged (${(e as Error).message})`);
      continue;
    }
    const results = frames.at(-1);
    if (results) return { ...last, results };
    reasons.push(`${describePod(pod)}; its log has no framed results line`);
  }
  return { ...last, missing: reasons.join('; ') };
}

/** Every index's results (or why it has none), reading at most `concurrency` logs at once. */
export async function collectShardResults(
  kubectl: Kubectl,
  job: JobState,
  namespace: string,
  concurrency = 8,
): Promise<{ indexes: IndexResults[]; pods: PodView[] }> {
  const pods = await listJobPods(kubectl, job.name, namespace);
  const byIndex = podsByIndex(pods, job.completions);
  const indexes: IndexResults[] = new Array(job.completions);
  let next = 0;
  const worker = async () => {
    while (next < byIndex.length) {
      const i = next++;
      indexes[i] = await resultsOfIndex(kubectl, namespace, i, byIndex[i] ?? []);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, byIndex.length) }, worker));
  return { indexes, pods };
}
