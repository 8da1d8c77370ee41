/**
 * Test double of the rehab projection pipeline: every Nth statement of each processor is applied
 * a second time (without its checkpoint), so some events are projected twice, a fault the
 * suite's integrity checks must catch.
 */
import type { RehabOptions } from '../../../services/rehab/app.ts';
import { Pipeline, type PipelineOptions } from '../../../services/rehab/pipeline.ts';
import type { Deltas } from '../../../services/rehab/projections.ts';
import { applyDeltas } from '../../../services/rehab/projections.ts';
import { NthStatement } from './nth-statement.ts';

export class TwiceApplyingPipeline extends Pipeline {
  private readonly nth: NthStatement;

  constructor(options: PipelineOptions, every: number) {
    super(options);
    this.nth = new NthStatement(every);
  }

  override async applyStatement(partition: number, deltas: Deltas, position: number): Promise<void> {
    await super.applyStatement(partition, deltas, position);
    if (this.nth.next(partition)) await applyDeltas(this.pool, deltas, []).catch(() => {});
  }
}

/** Rehab options whose pipeline applies every `every`th statement of each processor twice. */
export function projectsTwice(every: number): Pick<RehabOptions, 'pipeline'> {
  return { pipeline: (options) => new TwiceApplyingPipeline(options, every) };
}
