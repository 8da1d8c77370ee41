/**
 * The facts of a k6 run, read from what k6 wrote: its JSON output (`--out json=FILE`, one sample
 * per line, with its tags) and its `--summary-export` (threshold verdicts).
 */
import {
  addTo,
  type Facts,
  handleSummaryFacts,
  K6_BUILTIN_METRICS,
  type MetricFacts,
  sortedKeys,
} from './facts.ts';

interface Sample {
  metric: string;
  value: number;
  tags: Record<string, string>;
}

interface SummaryExport {
  metrics: Record<string, { thresholds?: Record<string, boolean> }>;
}

export interface K6Run {
  exitCode: number;
  /** The `--out json` file's text. */
  jsonOutput: string;
  /** The `--summary-export` file's text. */
  summaryExport: string;
  /** The server's base URL, stripped from request names (k6 names a request by its URL). */
  serverUrl: string;
  server: Record<string, number>;
  /** What the script's handleSummary wrote to __ENV.SUMMARY_OUT, if it did. */
  handleSummary?: string;
}

function samplesOf(jsonOutput: string): { samples: Sample[]; types: Record<string, string> } {
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  for (const line of jsonOutput.split('\n')) {
    if (!line.trim()) continue;
    const entry = JSON.parse(line);
    if (entry.type === 'Metric') types[entry.metric] = entry.data.type;
    else if (entry.type === 'Point')
      samples.push({ metric: entry.metric, value: entry.data.value, tags: entry.data.tags ?? {} });
  }
  return { samples, types };
}

function metricFacts(type: string, values: number[]): MetricFacts {
  if (type === 'counter') return { type, count: values.reduce((a, b) => a + b, 0) };
  if (type === 'rate') {
    const passes = values.filter((v) => v !== 0).length;
    return { type, passes, fails: values.length - passes };
  }
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (type === 'gauge') return { type, value: values.at(-1) ?? 0, min, max };
  const avg = values.reduce((a, b) => a + b, 0) / values.length;
  return { type: 'trend', count: values.length, min, max, avg };
}

export function factsFromK6(run: K6Run): Facts {
  const { samples, types } = samplesOf(run.jsonOutput);
  const nameOf = (tags: Record<string, string>) =>
    (tags.name ?? '').startsWith(run.serverUrl) ? tags.name.slice(run.serverUrl.length) : tags.name;
  const endpoint = (tags: Record<string, string>) => `${tags.scenario} ${tags.method} ${nameOf(tags)}`;
  const facts: Facts = {
    exitCode: run.exitCode,
    server: sortedKeys(run.server),
    iterations: {},
    droppedIterations: {},
    responses: {},
    failedRequests: {},
    checks: {},
    groups: [],
    metrics: {},
    thresholds: {},
  };
  const custom: Record<string, number[]> = {};
  const groups = new Set<string>();
  for (const s of samples) {
    // setup() and teardown() samples have no scenario: loadproof does not measure them (on purpose).
    if (s.tags.scenario === undefined && K6_BUILTIN_METRICS.has(s.metric)) continue;
    if (s.metric === 'iterations') addTo(facts.iterations, s.tags.scenario);
    else if (s.metric === 'dropped_iterations') addTo(facts.droppedIterations, s.tags.scenario, s.value);
    else if (s.metric === 'http_reqs') addTo(facts.responses, `${endpoint(s.tags)} ${s.tags.status}`);
    else if (s.metric === 'http_req_failed' && s.value !== 0) addTo(facts.failedRequests, endpoint(s.tags));
    else if (s.metric === 'group_duration') groups.add(s.tags.group);
    else if (s.metric === 'checks') {
      const c = facts.checks[s.tags.check] ?? { passes: 0, fails: 0 };
      if (s.value !== 0) c.passes++;
      else c.fails++;
      facts.checks[s.tags.check] = c;
    } else if (!K6_BUILTIN_METRICS.has(s.metric)) custom[s.metric] = [...(custom[s.metric] ?? []), s.value];
  }
  for (const [name, values] of Object.entries(custom)) facts.metrics[name] = metricFacts(types[name], values);
  // In --summary-export a threshold's value says whether it was crossed: false means it held.
  const summary = JSON.parse(run.summaryExport) as SummaryExport;
  for (const [metric, m] of Object.entries(summary.metrics))
    for (const [expression, crossed] of Object.entries(m.thresholds ?? {}))
      facts.thresholds[`${metric} ${expression}`] = !crossed;
  return {
    ...facts,
    iterations: sortedKeys(facts.iterations),
    droppedIterations: sortedKeys(facts.droppedIterations),
    responses: sortedKeys(facts.responses),
    failedRequests: sortedKeys(facts.failedRequests),
    checks: sortedKeys(facts.checks),
    groups: [...groups].sort(),
    metrics: sortedKeys(facts.metrics),
    thresholds: sortedKeys(facts.thresholds),
    ...handleSummaryFacts(run.handleSummary),
  };
}
