/** shared-iterations: this thread's VUs take iterations from its share of one count. */

import { threadShare } from '../run-context.ts';
import type { ExecutorRun } from '../run-definition.ts';
import { runIterations } from '../run-iterations.ts';
import { counter } from '../run-vu-loop.ts';

export const sharedIterationsRun: ExecutorRun<'shared-iterations'> = {
  run: (ctx) => {
    const next = counter(ctx, threadShare(ctx, ctx.config.iterations));
    return runIterations(ctx, () => next);
  },
};
