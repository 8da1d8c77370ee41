/**
 * A hook of the plan (setup, teardown, handleSummary) given a time limit and a stop signal: the
 * wait ends with an error naming the hook when either comes first. The hook itself is not
 * stopped here (on the calling thread nothing can stop a synchronous loop); a hook served by the
 * user-code host is stopped by terminating the host.
 */
import { signalName } from './stop.ts';

/** `2s`, `1.5s`, `250ms`: a limit as a person writes it. */
export function shownMs(ms: number): string {
  return ms % 1000 === 0 || ms > 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

export async function withinTime<T>(
  what: string,
  limitMs: number,
  run: () => T | Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${shownMs(limitMs)}`)), limitMs);
    onAbort = () => reject(new Error(`${what} stopped by signal (${signalName(signal)})`));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  late.catch(() => {});
  try {
    return await Promise.race([Promise.resolve().then(run), late]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
