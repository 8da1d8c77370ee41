/**
 * Thresholds with abortOnFail, judged on every tick once their delay has passed: the first that
 * fails stops the run, and its result (marked aborted) is the one reported. At the end every
 * other threshold is judged on the whole run. A shard sees only its part of the load: it judges
 * none; the merge judges the shards together.
 */
import type { MetricStore } from '../metrics/store.ts';
import type { Plan } from '../plan/types.ts';
import type { ThresholdResult } from '../results/types.ts';
import { evaluateThreshold } from '../verdict/thresholds.ts';

export class ThresholdAbort {
  private readonly aborted = new Map<string, ThresholdResult>();

  constructor(
    private readonly plan: Plan,
    /** False for a shard. */
    private readonly judged: boolean,
    private readonly store: MetricStore,
    private readonly log: (message: string) => void,
    private readonly stop: (reason: string) => void,
  ) {}

  /** Judges the abortable thresholds at `elapsedMs` into the run, unless it is already stopping. */
  check(elapsedMs: number, stopping: () => boolean): void {
    if (!this.judged) return;
    for (const spec of this.plan.thresholds) {
      if (!spec.abortOnFail || elapsedMs < spec.delayAbortEvalMs || stopping()) continue;
      const r = evaluateThreshold(spec, this.store, this.plan.metricTypes, elapsedMs);
      if (r.level !== 'FAIL' || r.actual === null) continue;
      this.aborted.set(`${spec.key} ${spec.expression}`, { ...r, aborted: true });
      // With a critical level, what fired is that level: the target alone only warns.
      const fired = spec.critical
        ? `${spec.key} ${spec.expression} failed its critical level ${spec.critical}`
        : `${spec.key} ${spec.expression} failed`;
      this.log(`threshold ${fired} (actual ${r.actual}): aborting the run`);
      this.stop(`threshold ${fired}`);
    }
  }

  /** Every threshold's result for a run that lasted `durationMs`: the aborting one as it fired. */
  results(durationMs: number): ThresholdResult[] {
    if (!this.judged) return [];
    return this.plan.thresholds.map(
      (spec) =>
        this.aborted.get(`${spec.key} ${spec.expression}`) ??
        evaluateThreshold(spec, this.store, this.plan.metricTypes, durationMs),
    );
  }
}
