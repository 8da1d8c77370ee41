/**
 * The arrivals a plan schedules for each open-model scenario (this process's segment of them):
 * what run validity measures missed and dropped arrivals against. Closed-model scenarios have
 * no arrivals and are left out.
 */

import type { Segment } from '../engine/segment.ts';
import { pacerOf } from '../executors/run-registry.ts';
import type { Plan } from '../plan/types.ts';

export function plannedArrivals(plan: Plan, segment: Segment): Record<string, number> {
  const planned: Record<string, number> = {};
  for (const s of plan.scenarios) {
    const pacer = pacerOf(s.config);
    if (!pacer) continue;
    planned[s.name] = segment.arrivalsOf(pacer.dueBy(pacer.durationMs));
  }
  return planned;
}
