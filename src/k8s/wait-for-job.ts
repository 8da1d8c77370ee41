/**
 * Waits for a Job to finish (its Complete or Failed condition) by polling `kubectl get job -o
 * json`, reporting progress when it changes and now and then while it does not, and giving up
 * after a bound (the Job's active deadline and a margin).
 */
import { KubectlError } from '../errors.ts';
import { type JobState, jobProgressLine, jobStateOf } from './job-status.ts';
import type { Kubectl } from './kubectl.ts';

export interface WaitOptions {
  namespace: string;
  /** Stop waiting after this long; the caller collects what is there. */
  timeoutMs: number;
  pollMs?: number;
  /** A progress line at least this often while nothing changes. */
  quietProgressMs?: number;
  onProgress?: (line: string) => void;
}

export interface WaitOutcome {
  state: JobState;
  /** The bound passed before the Job finished. */
  timedOut: boolean;
}

/** Polls in a row that may fail before waiting gives up. */
const MAX_FAILED_POLLS = 5;

export async function getJobState(kubectl: Kubectl, name: string, namespace: string): Promise<JobState> {
  const text = await kubectl.run(['get', 'job', name, '--namespace', namespace, '--output', 'json']);
  return jobStateOf(JSON.parse(text) as Record<string, unknown>);
}

export async function waitForJob(kubectl: Kubectl, name: string, o: WaitOptions): Promise<WaitOutcome> {
  const started = Date.now();
  const pollMs = o.pollMs ?? 2000;
  const quietMs = o.quietProgressMs ?? 15_000;
  let lastLine = '';
  let lastShown = 0;
  let failures = 0;
  for (;;) {
    let state: JobState;
    try {
      state = await getJobState(kubectl, name, o.namespace);
      failures = 0;
    } catch (e) {
      // The API server may not answer for a moment; the Job goes on meanwhile.
      if (!(e instanceof KubectlError) || ++failures >= MAX_FAILED_POLLS) throw e;
      o.onProgress?.(`job ${name}: cannot read its state (${e.message.split('\n').at(-1)}); asking again`);
      await new Promise((r) => setTimeout(r, pollMs));
      continue;
    }
    const elapsed = Date.now() - started;
    const line = jobProgressLine(state, elapsed);
    const changed = line.replace(/ \(\d+s\)$/, '') !== lastLine.replace(/ \(\d+s\)$/, '');
    if (changed || Date.now() - lastShown >= quietMs) {
      o.onProgress?.(line);
      lastLine = line;
      lastShown = Date.now();
    }
    if (state.finished) return { state, timedOut: false };
    if (elapsed >= o.timeoutMs) return { state, timedOut: true };
    await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(0, o.timeoutMs - elapsed))));
  }
}
