/**
 * The class of result loadproof gives on an example beside what k6 did: same, differed (naming
 * the facts that differ), refused (with loadproof's message), or k6 fails (k6 itself).
 */
import type { Comparison, Example, Expected } from './corpus.ts';
import type { Outcome } from './corpus-run.ts';
import type { Facts, MetricFacts } from './facts.ts';

export type Result =
  | { class: 'same' }
  | { class: 'differed'; facts: string[] }
  | { class: 'refused'; message: string }
  | { class: 'k6 fails'; message: string };

/** k6's exit codes and loadproof's for the same outcome. */
const LOADPROOF_EXIT_OF_K6: Record<number, number> = { 0: 0, 99: 3 };

/** What of a metric does not depend on time: a counter's sum, a rate's split, a trend's count. */
function metricCount(m: MetricFacts): unknown {
  if (m.type === 'counter') return m.count;
  if (m.type === 'rate') return [m.passes, m.fails];
  if (m.type === 'trend') return m.count;
  return m.type;
}

const keys = (r: Record<string, unknown>) => Object.keys(r).sort();
const mapValues = <T, U>(r: Record<string, T>, f: (v: T) => U) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v)]));

/** The facts as compared: every count (exact), or only what happened at all (outcome). */
function comparable(f: Facts, how: Comparison): Record<string, unknown> {
  const shared = {
    exitCode: f.exitCode,
    groups: f.groups,
    thresholds: f.thresholds,
  };
  if (how === 'exact')
    return {
      ...shared,
      server: f.server,
      iterations: f.iterations,
      droppedIterations: f.droppedIterations,
      responses: f.responses,
      failedRequests: f.failedRequests,
      checks: f.checks,
      metrics: mapValues(f.metrics, metricCount),
    };
  return {
    ...shared,
    server: keys(f.server),
    iterations: keys(f.iterations),
    responses: keys(f.responses),
    checks: mapValues(f.checks, (c) => ({ passed: c.passes > 0, failed: c.fails > 0 })),
    metrics: keys(f.metrics),
  };
}

/** Why the example's `noGoByDefaults` no longer holds, or undefined. */
export function staleNoGoByDefaults(k6: Outcome, loadproof: Outcome | undefined): string | undefined {
  if (k6.kind !== 'ran' || loadproof?.kind !== 'ran') return undefined;
  if (k6.exitCode === 0 && loadproof.exitCode === 3 && loadproof.noGoByDefaults) return undefined;
  return `noGoByDefaults no longer holds (k6 exit ${k6.exitCode}, loadproof exit ${loadproof.exitCode}): remove it`;
}

export function classify(k6: Outcome, loadproof: Outcome | undefined, ex: Example): Result {
  if (k6.kind === 'failed') return { class: 'k6 fails', message: k6.message };
  if (!loadproof) throw new Error('loadproof was not run');
  if (loadproof.kind === 'failed') return { class: 'refused', message: loadproof.message };
  const k6Exit = LOADPROOF_EXIT_OF_K6[k6.facts.exitCode] ?? -1;
  const lpExit = ex.noGoByDefaults && !staleNoGoByDefaults(k6, loadproof) ? k6Exit : loadproof.facts.exitCode;
  const want = comparable({ ...k6.facts, exitCode: k6Exit }, ex.compare);
  const got = comparable({ ...loadproof.facts, exitCode: lpExit }, ex.compare);
  for (const fact of ex.varies ?? []) {
    delete want[fact];
    delete got[fact];
  }
  const differ = Object.keys(want).filter((k) => JSON.stringify(want[k]) !== JSON.stringify(got[k]));
  return differ.length === 0 ? { class: 'same' } : { class: 'differed', facts: differ };
}

/** The trailing `(issue N: ...)` of an expected class. */
const ISSUE = /\s*\(issue [\s\S]*\)\s*$/;

/** The facts an expected 'differed: a, b (issue N)' names. */
const namedFacts = (expected: string) =>
  expected
    .slice('differed: '.length)
    .replace(ISSUE, '')
    .split(',')
    .map((s) => s.trim())
    .sort();

/** Why a result is not what the corpus expects of it, or undefined when it is. */
export function mismatch(result: Result, expected: Expected): string | undefined {
  const got = describe(result);
  if (expected === 'same' || expected === 'k6 fails')
    return result.class === expected ? undefined : `expected ${expected}, got ${got}`;
  if (expected.startsWith('differed: ')) {
    if (result.class !== 'differed') return `expected ${expected}, got ${got}`;
    return namedFacts(expected).join() === [...result.facts].sort().join()
      ? undefined
      : `expected ${expected}, got ${got}`;
  }
  const why = expected.slice('refused: '.length).replace(ISSUE, '');
  if (result.class !== 'refused') return `expected ${expected}, got ${got}`;
  return result.message.includes(why) ? undefined : `expected a refusal saying "${why}", got ${got}`;
}

export function describe(result: Result): string {
  if (result.class === 'same') return 'same';
  if (result.class === 'differed') return `differed: ${result.facts.join(', ')}`;
  return `${result.class}: ${result.message}`;
}
