/**
 * How a run is stopped before its plan ends: gracefully (a first signal, a threshold's abort, a
 * worker that failed), each thread told to stop and given its gracefulStop; or at once (a second
 * signal), in-flight requests aborted. The first reason stands; a stop that comes while the
 * threads are starting reaches them once they are handed over.
 */
import type { LoadThread } from '../engine/threads.ts';
import { signalName } from './stop.ts';
import { stopAtOnce } from './stop-at-once.ts';

export class RunStop {
  /** Why the run was stopped gracefully, if it was. */
  reason: string | undefined;
  /** Why it was stopped at once, if it was. */
  forced: string | undefined;
  private threads: readonly LoadThread[] = [];
  private readonly onSignal = () => this.stop(`stopped by signal (${signalName(this.signal)})`);
  private readonly onForce = () => {
    this.forced = `stopped at once by a second signal (${signalName(this.forceSignal)})`;
    stopAtOnce(this.threads, this.forced);
  };

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly forceSignal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', this.onSignal, { once: true });
    forceSignal?.addEventListener('abort', this.onForce, { once: true });
  }

  get stopped(): boolean {
    return this.reason !== undefined;
  }

  stop(reason: string): void {
    if (this.reason) return;
    this.reason = reason;
    for (const t of this.threads) t.send({ type: 'stop' });
  }

  /** The threads, once started: a stop that came while they were starting found none to tell. */
  handOver(threads: readonly LoadThread[]): void {
    this.threads = threads;
    if (this.signal?.aborted) this.onSignal();
    if (this.reason) for (const t of threads) t.send({ type: 'stop' });
    if (this.forceSignal?.aborted) this.onForce();
  }

  /** Stops listening to the signals: the load is over. */
  release(): void {
    this.signal?.removeEventListener('abort', this.onSignal);
    this.forceSignal?.removeEventListener('abort', this.onForce);
  }

  /** Why the run was interrupted, both reasons when both came; undefined when it ran its plan. */
  interruptReason(): string | undefined {
    if (!this.forced) return this.reason;
    return this.reason ? `${this.reason}; then ${this.forced}` : this.forced;
  }
}
