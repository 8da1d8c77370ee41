/**
 * Run validity: the built-in criteria that say the planned load was delivered, judged beside the
 * thresholds. A run whose arrivals were missed or dropped, whose requests went unanswered, that
 * sent nothing, or one of whose shards started late did not test what its plan asked, whatever
 * its thresholds say. A plan may change a limit by its name (plan key `validity`); a looser one is
 * marked `loosened`, so no report hides it. A pure function of the run's figures.
 */
import type { ValidityLimits } from '../plan/types.ts';
import type { ValidityCriterion } from '../results/types.ts';

export const BUILT_IN_VALIDITY: ValidityLimits = {
  maxMissedArrivals: 0.01,
  maxAborted: 0.01,
  minRequests: 1,
  shardsOnTime: true,
};

/** How late a shard may start its load after the agreed instant and still be on time. */
export const SHARD_START_TOLERANCE_MS = 1000;

/** What the criteria read of a run. */
export interface ValidityFigures {
  /** Arrivals the open-model scenarios scheduled; 0 when every scenario is closed-model. */
  plannedArrivals: number;
  /** Arrivals a late start skipped (`missed_arrivals`). */
  missedArrivals: number;
  /** Arrivals of open-model scenarios that found no free VU (`dropped_iterations`). */
  droppedArrivals: number;
  /** Requests sent, and those of them that got no response. */
  requests: number;
  unanswered: number;
  /** A merged run: each shard's segment and how late it started (ms). */
  shards?: readonly { segment: string; startSkewMs: number }[];
}

/** A fraction as a percentage for people: 0.0123 -> `1.23%`. */
export function percentText(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}

function share(part: number, whole: number): string {
  return `${percentText(whole > 0 ? part / whole : 0)} (${part} of ${whole})`;
}

/** The criteria for a run's figures, with the plan's limits over the built-in ones. */
export function runValidity(
  figures: ValidityFigures,
  planLimits: Partial<ValidityLimits> = {},
): ValidityCriterion[] {
  const limits = { ...BUILT_IN_VALIDITY, ...planLimits };
  const looser = (name: keyof ValidityLimits): { loosened?: true } => {
    const given = planLimits[name];
    if (given === undefined) return {};
    const builtIn = BUILT_IN_VALIDITY[name];
    const isLooser =
      name === 'minRequests' ? given < builtIn : name === 'shardsOnTime' ? !given : given > builtIn;
    return isLooser ? { loosened: true } : {};
  };
  const criteria: ValidityCriterion[] = [];

  const notDelivered = figures.missedArrivals + figures.droppedArrivals;
  criteria.push({
    name: 'maxMissedArrivals',
    description: 'missed + dropped arrivals of the planned ones',
    limit: `<= ${percentText(limits.maxMissedArrivals)}`,
    actual:
      figures.plannedArrivals > 0
        ? share(notDelivered, figures.plannedArrivals)
        : 'no arrivals planned (closed-model scenarios have none)',
    ok: figures.plannedArrivals === 0 || notDelivered <= limits.maxMissedArrivals * figures.plannedArrivals,
    ...looser('maxMissedArrivals'),
  });

  criteria.push({
    name: 'maxAborted',
    description: 'requests that got no response',
    limit: `<= ${percentText(limits.maxAborted)}`,
    actual: share(figures.unanswered, figures.requests),
    ok: figures.unanswered <= limits.maxAborted * figures.requests,
    ...looser('maxAborted'),
  });

  criteria.push({
    name: 'minRequests',
    description: 'requests sent',
    limit: `>= ${limits.minRequests}`,
    actual: String(figures.requests),
    ok: figures.requests >= limits.minRequests,
    ...looser('minRequests'),
  });

  if (figures.shards) {
    const late = figures.shards.filter((s) => s.startSkewMs > SHARD_START_TOLERANCE_MS);
    criteria.push({
      name: 'shardsOnTime',
      description: 'shards that started their load on time',
      limit: limits.shardsOnTime
        ? `every shard within ${SHARD_START_TOLERANCE_MS} ms of the agreed start`
        : 'not judged',
      actual: late.length
        ? `late: ${late.map((s) => `shard ${s.segment} by ${s.startSkewMs} ms`).join(', ')}`
        : `${figures.shards.length} of ${figures.shards.length} on time`,
      ok: !limits.shardsOnTime || late.length === 0,
      ...looser('shardsOnTime'),
    });
  }
  return criteria;
}

/** One line for a verdict's reasons: `run validity maxAborted failed: ... 100% (60 of 60), limit <= 1%`. */
export function validityFailure(c: ValidityCriterion): string {
  return `run validity ${c.name} failed: ${c.description} ${c.actual}, limit ${c.limit}`;
}

/** One line for a verdict's warnings, so a loosened criterion is never silent. */
export function validityLoosened(c: ValidityCriterion): string {
  return `run validity ${c.name} loosened by the plan: ${c.description}, limit ${c.limit}`;
}
