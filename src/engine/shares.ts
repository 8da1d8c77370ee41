/**
 * How a run's load is shared among worker threads. Pure: every thread computes its own share
 * from (total, index, count), and the shares add up exactly to the total.
 */

/** Worker `index` of `count` gets this many of `total` (VUs, iterations): the first ones get the remainder. */
export function shareOf(total: number, index: number, count: number): number {
  return Math.floor(total / count) + (index < total % count ? 1 : 0);
}

/** Global VU ids of this worker's VUs: index+1, index+1+count, ... (1-based, unique across threads). */
export function globalVuId(localIndex: number, index: number, count: number): number {
  return localIndex * count + index + 1;
}
