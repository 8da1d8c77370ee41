/** The facts of a loadproof run, read from its results.json alone. */
import type { MetricSummary, ResultsFile } from '../../../../src/results/types.ts';
import { type Facts, handleSummaryFacts, type MetricFacts, sortedKeys } from './facts.ts';

function metricFacts(m: MetricSummary): MetricFacts {
  if (m.type === 'counter') return { type: 'counter', count: m.count };
  if (m.type === 'rate') return { type: 'rate', passes: m.passes, fails: m.fails };
  if (m.type === 'gauge') return { type: 'gauge', value: m.value, min: m.min, max: m.max };
  return { type: 'trend', count: m.count, min: m.min, max: m.max, avg: m.mean };
}

/**
 * `customMetrics` are the names k6 reported as the script's own metrics: loadproof's results
 * hold its built-in metrics beside them under other names.
 */
export function factsFromLoadproof(
  results: ResultsFile,
  exitCode: number,
  server: Record<string, number>,
  customMetrics: string[],
  handleSummary?: string,
  /** The server's base URL, stripped from request names as k6-facts.ts strips it from k6's. */
  serverUrl?: string,
): Facts {
  const nameOf = (name: string) =>
    serverUrl !== undefined && name.startsWith(serverUrl) ? name.slice(serverUrl.length) : name;
  const iterations: Record<string, number> = {};
  const dropped: Record<string, number> = {};
  const responses: Record<string, number> = {};
  const failed: Record<string, number> = {};
  for (const [name, s] of Object.entries(results.scenarios)) {
    // k6 records iterations as samples: a scenario that completed none has no entry there.
    if (s.iterations > 0) iterations[name] = s.iterations;
    if (s.droppedIterations > 0) dropped[name] = s.droppedIterations;
    for (const e of s.endpoints) {
      for (const [status, n] of Object.entries(e.requests.byStatus))
        responses[`${name} ${e.method} ${nameOf(e.name)} ${status}`] = n;
      if (e.requests.failed > 0) failed[`${name} ${e.method} ${nameOf(e.name)}`] = e.requests.failed;
    }
  }
  const metrics: Record<string, MetricFacts> = {};
  for (const name of customMetrics) {
    const m = results.metrics[name];
    if (m) metrics[name] = metricFacts(m);
  }
  const thresholds: Record<string, boolean> = {};
  for (const t of results.thresholds) if (!t.isDefault) thresholds[`${t.metric} ${t.expression}`] = t.ok;
  return {
    exitCode,
    server: sortedKeys(server),
    iterations: sortedKeys(iterations),
    droppedIterations: sortedKeys(dropped),
    responses: sortedKeys(responses),
    failedRequests: sortedKeys(failed),
    checks: sortedKeys(results.flowChecks),
    groups: Object.keys(results.groups ?? {}).sort(),
    metrics: sortedKeys(metrics),
    thresholds: sortedKeys(thresholds),
    ...handleSummaryFacts(handleSummary),
  };
}
