/** constant-arrival-rate runs the open model on a constant rate's schedule. */
import { constantPacer } from '../../engine/pacer.ts';
import type { ConfigOf } from '../index.ts';
import { runArrivals } from '../run-arrivals.ts';
import type { ExecutorRun } from '../run-definition.ts';

const pacer = (c: ConfigOf<'constant-arrival-rate'>) => constantPacer(c.ratePerSec, c.durationMs);

export const constantArrivalRateRun: ExecutorRun<'constant-arrival-rate'> = {
  pacer,
  run: (ctx) => runArrivals(ctx, pacer(ctx.config)),
};
