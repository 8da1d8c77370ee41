/** per-vu-iterations: each VU runs its own iterations, numbered uniquely over VUs, threads and shards. */
import { runWideNumber } from '../run-context.ts';
import type { ExecutorRun } from '../run-definition.ts';
import { runIterations } from '../run-iterations.ts';

export const perVuIterationsRun: ExecutorRun<'per-vu-iterations'> = {
  run: (ctx) =>
    runIterations(ctx, (i) => {
      const { iterations } = ctx.config;
      const globalVu = runWideNumber(ctx, i);
      let k = 0;
      return () => (k < iterations ? globalVu * iterations + k++ : undefined);
    }),
};
