/**
 * Test double of the rehab projection pipeline: every Nth statement of each processor commits and
 * then fails as if the server had crashed before its answer came back (the commit happened; the
 * processor cannot know). The processor retries; its events must still be projected once.
 */
import type { RehabOptions } from '../../../services/rehab/app.ts';
import { Pipeline, type PipelineOptions } from '../../../services/rehab/pipeline.ts';
import type { Deltas } from '../../../services/rehab/projections.ts';
import { NthStatement } from './nth-statement.ts';

export class LostAnswerPipeline extends Pipeline {
  private readonly nth: NthStatement;
  /** How many answers were lost. */
  lost = 0;

  constructor(options: PipelineOptions, every: number) {
    super(options);
    this.nth = new NthStatement(every);
  }

  override async applyStatement(partition: number, deltas: Deltas, position: number): Promise<void> {
    await super.applyStatement(partition, deltas, position);
    if (this.nth.next(partition)) {
      this.lost++;
      throw new Error('Connection terminated unexpectedly (the double lost the answer of a commit)');
    }
  }
}

/** Rehab options whose pipeline loses the answer of every `every`th statement of each processor. */
export function losesAnswers(
  every: number,
  made: (p: LostAnswerPipeline) => void,
): Pick<RehabOptions, 'pipeline'> {
  return {
    pipeline: (options) => {
      const p = new LostAnswerPipeline(options, every);
      made(p);
      return p;
    },
  };
}
