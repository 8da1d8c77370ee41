/**
 * What `kubectl get job -o json` and `kubectl get pods -o json` say about a sharded run, read as
 * plain data: whether the Job has finished and how, which pod ran which completion index, and
 * why a pod failed. Pure functions: the kubectl calls are elsewhere.
 */

export interface JobState {
  name: string;
  /** `complete` or `failed` once the Job has finished; undefined while it runs. */
  finished?: 'complete' | 'failed';
  /** How many shards (completion indexes) the Job has. */
  completions: number;
  active: number;
  succeeded: number;
  failed: number;
  /** The Failed condition's reason and message (PodFailurePolicy, DeadlineExceeded, ...). */
  reason?: string;
  message?: string;
  /** Indexes Kubernetes counts as failed ("1,3-4"), when it says so. */
  failedIndexes?: string;
}

export interface PodView {
  name: string;
  /** The pod's completion index, from its annotation (or label). */
  index?: number;
  phase: string;
  createdAt: string;
  /** The loadproof container's end, once it has ended. */
  exitCode?: number;
  exitReason?: string;
  exitMessage?: string;
  /** Why the pod is not running yet (ImagePullBackOff, Unschedulable...). */
  waitingReason?: string;
}

export const COMPLETION_INDEX_KEY = 'batch.kubernetes.io/job-completion-index';
/** The label the Job controller puts on its pods (older clusters use `job-name` alone). */
export const JOB_NAME_LABEL = 'job-name';

type Json = Record<string, any>;

function conditionOf(job: Json, type: string): Json | undefined {
  const conditions = (job.status?.conditions ?? []) as Json[];
  return conditions.find((c) => c.type === type && c.status === 'True');
}

export function jobStateOf(job: Json): JobState {
  const status = job.status ?? {};
  const failedCondition = conditionOf(job, 'Failed');
  const state: JobState = {
    name: String(job.metadata?.name ?? ''),
    completions: Number(job.spec?.completions ?? 1),
    active: Number(status.active ?? 0),
    succeeded: Number(status.succeeded ?? 0),
    failed: Number(status.failed ?? 0),
  };
  if (conditionOf(job, 'Complete')) state.finished = 'complete';
  else if (failedCondition) {
    state.finished = 'failed';
    if (failedCondition.reason) state.reason = String(failedCondition.reason);
    if (failedCondition.message) state.message = String(failedCondition.message);
  }
  if (typeof status.failedIndexes === 'string' && status.failedIndexes)
    state.failedIndexes = status.failedIndexes;
  return state;
}

export function podsOf(list: Json, containerName: string): PodView[] {
  return ((list.items ?? []) as Json[]).map((pod) => {
    const meta = pod.metadata ?? {};
    const indexText = meta.annotations?.[COMPLETION_INDEX_KEY] ?? meta.labels?.[COMPLETION_INDEX_KEY];
    const index = indexText !== undefined && /^\d+$/.test(String(indexText)) ? Number(indexText) : undefined;
    const statuses = (pod.status?.containerStatuses ?? []) as Json[];
    const container = statuses.find((c) => c.name === containerName) ?? statuses[0];
    const terminated = container?.state?.terminated ?? container?.lastState?.terminated;
    const waiting = container?.state?.waiting;
    const view: PodView = {
      name: String(meta.name ?? ''),
      phase: String(pod.status?.phase ?? 'Unknown'),
      createdAt: String(meta.creationTimestamp ?? ''),
    };
    if (index !== undefined) view.index = index;
    if (terminated) {
      view.exitCode = Number(terminated.exitCode);
      if (terminated.reason) view.exitReason = String(terminated.reason);
      if (terminated.message) view.exitMessage = String(terminated.message).trim();
    }
    if (waiting?.reason) view.waitingReason = String(waiting.reason);
    if (!terminated && pod.status?.reason) view.exitReason = String(pod.status.reason);
    return view;
  });
}

/**
 * The pods of each completion index, the one most likely to hold the shard's results first: a
 * pod that succeeded, then the newest.
 */
export function podsByIndex(pods: PodView[], completions: number): PodView[][] {
  const byIndex: PodView[][] = Array.from({ length: completions }, () => []);
  for (const pod of pods)
    if (pod.index !== undefined && pod.index < completions) byIndex[pod.index]?.push(pod);
  for (const list of byIndex)
    list.sort(
      (a, b) =>
        Number(b.phase === 'Succeeded') - Number(a.phase === 'Succeeded') ||
        b.createdAt.localeCompare(a.createdAt),
    );
  return byIndex;
}

/** One pod's state in a few words: `pod P exited 137 (OOMKilled)`, `pod P is Pending (ImagePullBackOff)`. */
export function describePod(pod: PodView): string {
  if (pod.exitCode !== undefined) {
    const why = [pod.exitReason, pod.exitMessage].filter(Boolean).join(': ');
    return `pod ${pod.name} exited ${pod.exitCode}${why ? ` (${why})` : ''}`;
  }
  const why = pod.waitingReason ?? pod.exitReason;
  return `pod ${pod.name} is ${pod.phase}${why ? ` (${why})` : ''}`;
}

/** Why a failed Job failed: its condition, then each index whose pod failed. */
export function jobFailureLines(state: JobState, pods: PodView[]): string[] {
  const lines = [
    `job ${state.name} failed${state.reason ? ` (${state.reason})` : ''}${state.message ? `: ${state.message}` : ''}`,
  ];
  if (state.failedIndexes) lines.push(`failed indexes: ${state.failedIndexes}`);
  for (const pod of [...pods].sort((a, b) => (a.index ?? -1) - (b.index ?? -1)))
    if (pod.phase === 'Failed' || (pod.exitCode !== undefined && pod.exitCode !== 0))
      lines.push(`index ${pod.index ?? '?'}: ${describePod(pod)}`);
  return lines;
}

/** A progress line while the Job runs. */
export function jobProgressLine(state: JobState, elapsedMs: number): string {
  return `job ${state.name}: ${state.active} active, ${state.succeeded}/${state.completions} succeeded, ${state.failed} failed (${Math.round(elapsedMs / 1000)}s)`;
}
