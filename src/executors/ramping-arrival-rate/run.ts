/** ramping-arrival-rate runs the open model on a schedule whose rate moves through the stages. */
import { rampingPacer } from '../../engine/pacer.ts';
import type { ConfigOf } from '../index.ts';
import { runArrivals } from '../run-arrivals.ts';
import type { ExecutorRun } from '../run-definition.ts';

const pacer = (c: ConfigOf<'ramping-arrival-rate'>) => rampingPacer(c.startRatePerSec, c.stages);

export const rampingArrivalRateRun: ExecutorRun<'ramping-arrival-rate'> = {
  pacer,
  run: (ctx) => runArrivals(ctx, pacer(ctx.config)),
};
