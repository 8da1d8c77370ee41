/**
 * Test double of the rehab projection pipeline: every Nth statement of each processor is applied
 * a second time (without its checkpoint), so some events are projected twice, a fault the
 * suite's integrity checks must catch.
 */
import type { RehabOptions } from '../../../services/rehab/app.ts';
import { Pipeline, type PipelineOptions } from '../../../services/rehab/pipeline.ts';
import type { Deltas } from '../../../services/rehab/projections.ts';
import { applyDeltas } from '../../../services/rehab/projections.ts';

export class TwiceApplyingPipeline extends Pipeline {
  /** Statements applied so far, by processor. */
  private readonly statements = new Map<number, number>();

  constructor(
    options: PipelineOptions,
    private readonly every: number,
  ) {
    super(options);
  }

  override async applyStatement(partition: number, deltas: Deltas, position: number): Promise<void> {
    await super.applyStatement(partition, deltas, position);
    const n = (this.statements.get(partition) ?? 0) + 1;
    this.statements.set(partition, n);
    if (n % this.every === 0) await applyDeltas(this.pool, deltas, []).catch(() => {});
  }
}

/** Rehab options whose pipeline applies every `every`th statement of each processor twice. */
export function projectsTwice(every: number): Pick<RehabOptions, 'pipeline'> {
  return { pipeline: (options) => new TwiceApplyingPipeline(options, every) };
}
