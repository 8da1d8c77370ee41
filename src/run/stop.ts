/** Words and margins for stopping a run: by a signal, or by terminating a thread that is stuck. */
import type { LoadThread } from '../engine/threads.ts';
import type { Plan } from '../plan/types.ts';

/** How long after gracefulStop a thread may take to hand over its last tick before it counts as stuck. */
export const STUCK_MARGIN_MS = 5000;

/** Names what a terminated thread was running when it stopped answering. */
export function stuckMessage(plan: Plan, thread: LoadThread): string {
  const last = thread.activity.last();
  const where = last
    ? `scenario ${plan.scenarios[last.scenario]?.name ?? '?'}, iteration ${last.iteration}`
    : 'before any iteration started';
  return `worker ${thread.index} did not stop within gracefulStop and was terminated: a flow is stuck (${where}), e.g. in a loop that never awaits`;
}

/** The signal an AbortSignal was aborted for (its reason), SIGINT when it does not say. */
export function signalName(signal: AbortSignal | undefined): string {
  return typeof signal?.reason === 'string' ? signal.reason : 'SIGINT';
}
