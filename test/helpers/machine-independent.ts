/**
 * What of a run's verdict holds on any machine, however busy.
 *
 * Tests that run a whole plan (the suites' profiles, the rehab k6 scripts) assert counts, checks
 * and invariants. A latency or throughput threshold and the run-validity criteria (was the
 * planned load delivered on time) fail on a busy machine with no fault in the code under test:
 * those targets are judged by the main job (`npm start`) and `npm run bench`, not by `npm test`.
 */
import type { ResultsFile, ThresholdResult } from '../../src/results/types.ts';
import { validityFailure } from '../../src/verdict/run-validity.ts';

/** The metric's name without its tag filter: `http_req_duration{scenario:x}` -> `http_req_duration`. */
function baseName(metric: string): string {
  return metric.replace(/\{.*$/, '');
}

/**
 * True for a threshold on time or pace: any threshold on a trend (durations, lags, latencies),
 * and a per-second rate of a counter. A rate metric's `rate` (a fraction, e.g. http_req_failed)
 * and a counter's `count` are not.
 */
export function isTimingThreshold(results: ResultsFile, t: ThresholdResult): boolean {
  const summary = results.metrics[baseName(t.metric)];
  if (/latency|duration|lag/i.test(t.metric)) return true;
  if (summary?.type === 'trend') return true;
  return summary?.type === 'counter' && /^\s*(rate|rps)\b/.test(t.expression);
}

/** The verdict's reasons left once timing thresholds and run validity are set aside. */
export function reasonsOnAnyMachine(results: ResultsFile): string[] {
  const setAside = new Set<string>();
  for (const t of results.thresholds) {
    if (isTimingThreshold(results, t))
      setAside.add(`${t.isDefault ? 'default threshold' : 'threshold'} ${t.metric} ${t.expression} failed`);
  }
  const validity = new Set((results.validity ?? []).map(validityFailure));
  return results.verdict.reasons.filter(
    (reason) => !validity.has(reason) && ![...setAside].some((prefix) => reason.startsWith(`${prefix} (`)),
  );
}
