/**
 * A second signal stops the run at once. Every thread is told to abort what it has in flight:
 * its requests end as ABORTED and are counted, as at the end of gracefulStop, and it hands over
 * its last tick. A thread that has not ended within `flushMs` (a flow stuck in a loop that never
 * awaits cannot hear the message) is terminated; the seconds it handed over before are kept.
 */
import type { LoadThread } from '../engine/threads.ts';

/** How long a thread told to abort may take to hand over its last tick before it is terminated. */
export const ABORT_FLUSH_MS = 3000;

/** Tells every thread to abort now and terminates, with `why`, those still running after `flushMs`. */
export function stopAtOnce(threads: readonly LoadThread[], why: string, flushMs = ABORT_FLUSH_MS): void {
  const ended = new Set<number>();
  for (const t of threads) {
    void t.done.then(() => ended.add(t.index));
    t.send({ type: 'abort' });
  }
  if (threads.length === 0) return;
  const timer = setTimeout(() => {
    for (const t of threads) if (!ended.has(t.index)) void t.terminate(why);
  }, flushMs);
  // Nothing to wait for once every thread has ended.
  void Promise.all(threads.map((t) => t.done)).then(() => clearTimeout(timer));
}
