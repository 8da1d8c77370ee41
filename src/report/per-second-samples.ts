/**
 * What `compare` judges: for a scope of a run (the whole run, a scenario, an endpoint), one
 * sample per whole second of each figure (p50, p95, p99, errors %, rps) where results.json has a
 * per-second series for it, and the scope's figure over the whole run beside it. A second cut
 * by the start or the end of the run (or scenario) is left out: its rate would be a fraction of
 * the others.
 */
import type {
  RequestCounts,
  ResultsFile,
  ScenarioSecond,
  TimelinePoint,
  TrendSummary,
} from '../results/types.ts';

export const COMPARED_METRICS = ['p50 ms', 'p95 ms', 'p99 ms', 'errors %', 'rps'] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];

export interface ScopeFigures {
  /** One value per whole second, for the metrics the scope has a per-second series of. */
  perSecond: Partial<Record<ComparedMetric, number[]>>;
  /** The figure over the whole run (or scenario), when it is known. */
  whole: Partial<Record<ComparedMetric, number>>;
}

/** Share in percent of requests that got no answer or a 5xx answer. */
function failingPct(
  requests: number,
  byStatus: Record<string, number>,
  errors: Record<string, number>,
): number {
  if (requests <= 0) return 0;
  let failing = 0;
  for (const n of Object.values(errors)) failing += n;
  for (const [status, n] of Object.entries(byStatus)) if (Number(status) >= 500) failing += n;
  return (100 * failing) / requests;
}

/**
 * How much of a second the scope may miss and the second still count as whole: a scenario
 * starts some milliseconds after the run, a run of 3 s stops at 2999.6 ms or 3000.4 ms.
 */
const MISSED_MS = 100;

/**
 * The seconds t (the second ending t s after the run's start) that lie (all but MISSED_MS) inside
 * [startMs, endMs], each with its point or undefined when the series has none for it (a
 * scenario's series holds only seconds with requests).
 */
function wholeSeconds<P extends { t: number }>(
  points: P[],
  startMs: number,
  endMs: number,
): { t: number; point: P | undefined }[] {
  const byT = new Map(points.map((p) => [p.t, p]));
  const out: { t: number; point: P | undefined }[] = [];
  for (let t = Math.ceil((startMs - MISSED_MS) / 1000) + 1; t * 1000 <= endMs + MISSED_MS; t++)
    out.push({ t, point: byT.get(t) });
  return out;
}

function fromSeconds(
  seconds: { point: (ScenarioSecond & Partial<TimelinePoint>) | undefined }[],
  countsFailures: boolean,
): ScopeFigures['perSecond'] {
  const answered = seconds.flatMap((s) => (s.point && s.point.requests > 0 ? [s.point] : []));
  const perSecond: ScopeFigures['perSecond'] = {
    'p50 ms': answered.map((p) => p.p50),
    'p95 ms': answered.map((p) => p.p95),
    'p99 ms': answered.map((p) => p.p99),
    rps: seconds.map((s) => s.point?.requests ?? 0),
  };
  if (countsFailures)
    perSecond['errors %'] = answered.map((p) => failingPct(p.requests, p.byStatus ?? {}, p.errors ?? {}));
  return perSecond;
}

function wholeFigures(latency: TrendSummary | undefined, requests: RequestCounts): ScopeFigures['whole'] {
  return {
    ...(latency && latency.count > 0
      ? { 'p50 ms': latency.p50, 'p95 ms': latency.p95, 'p99 ms': latency.p99 }
      : {}),
    'errors %': failingPct(requests.total, requests.byStatus, requests.errors),
    rps: requests.rps,
  };
}

export function runFigures(r: ResultsFile): ScopeFigures {
  return {
    perSecond: r.timeline.length ? fromSeconds(wholeSeconds(r.timeline, 0, r.durationMs), true) : {},
    whole: wholeFigures(r.metrics.http_req_duration as TrendSummary | undefined, r.requests),
  };
}

export function scenarioFigures(r: ResultsFile, name: string): ScopeFigures | undefined {
  const s = r.scenarios[name];
  if (!s) return undefined;
  const points = s.timeline ?? [];
  return {
    // A scenario's seconds hold no statuses: its error rate has no per-second series.
    perSecond: points.length
      ? fromSeconds(wholeSeconds(points, s.startMs, s.startMs + s.durationMs), false)
      : {},
    whole: wholeFigures(s.metrics.http_req_duration as TrendSummary | undefined, s.requests),
  };
}

/** An endpoint has no per-second series in results.json: its whole figures only. */
export function endpointFigures(r: ResultsFile, scenario: string, key: string): ScopeFigures | undefined {
  const e = r.scenarios[scenario]?.endpoints.find((x) => x.key === key);
  return e ? { perSecond: {}, whole: wholeFigures(e.latency, e.requests) } : undefined;
}
