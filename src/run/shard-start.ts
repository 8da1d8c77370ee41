/**
 * What a shard checks before it starts: that its segment can run each scenario, and that the
 * agreed start is not so far in the past that nothing of the plan is left to run.
 */

import type { Segment } from '../engine/segment.ts';
import { UsageError } from '../errors.ts';
import { executorOf, peakVus } from '../executors/index.ts';
import type { Plan } from '../plan/types.ts';

/**
 * Notes for scenarios this shard gets no VU of. An arrival-rate scenario whose maxVUs cannot
 * give this shard one VU is refused: its arrivals would all be dropped.
 */
export function segmentProblems(plan: Plan, segment: Segment): string[] {
  const notes: string[] = [];
  for (const s of plan.scenarios) {
    const peak = peakVus(s.config);
    if (segment.share(peak) > 0) continue;
    // An open model's peak is its maxVUs.
    if (executorOf(s.config).model === 'open')
      throw new UsageError(
        `scenario ${s.name}: maxVUs ${peak} leaves shard ${segment} without a VU for its arrivals; give it at least ${segment.count} maxVUs (one per shard)`,
      );
    notes.push(
      `shard ${segment} gets no VU of scenario ${s.name} (${peak} VUs over ${segment.count} shards): it runs none of it`,
    );
  }
  return notes;
}

/** Refuses a --start-at so far in the past that the whole plan would already be over. */
export function assertStartReachable(startAtMs: number, plannedMs: number, nowMs = Date.now()): void {
  const lateMs = nowMs - startAtMs;
  if (lateMs > plannedMs)
    throw new UsageError(
      `--start-at ${new Date(startAtMs).toISOString()} is ${Math.round(lateMs / 1000)} s in the past, longer than the plan runs (${Math.round(plannedMs / 1000)} s): nothing would be left to run`,
    );
}
