/**
 * `loadproof merge`: the shards of one run added up into the results of that run, as if one
 * machine had run the plan. Histograms are added (lossless), counters summed, seconds aligned on
 * the wall clock; every threshold is judged once, on the sum; with the plan, its checks after the
 * load run on the merged counters. Shards of different runs or plans, or a segment given twice,
 * are refused; so are a shard file with a field out of bounds (shard-file-check.ts), shards that
 * record different thresholds or starts, and two segments with the same figures
 * (shard-agreement.ts). A plan given is the one judged, once its hash is the shards'. A missing
 * segment makes the verdict INCOMPLETE, never GO.
 */
import { CheckRunner } from '../checks/check-runner.ts';
import { InputFileError } from '../errors.ts';
import { initHistograms } from '../metrics/histogram.ts';
import { scenarioKey } from '../metrics/keys.ts';
import { SnapshotSum } from '../metrics/snapshot-sum.ts';
import { MetricStore } from '../metrics/store.ts';
import { Timeline, type TimelineDelta } from '../metrics/timeline.ts';
import { ScenarioTimeline } from '../outputs/scenario-timeline.ts';
import type { Plan } from '../plan/types.ts';
import { checkShardResults } from '../results/shard-file-check.ts';
import { decodeDelta, type ShardRecord, type ShardSecond } from '../results/shard-record.ts';
import type { CheckResult, ResultsFile, ShardSummary } from '../results/types.ts';
import { redactString } from '../results/without-secrets.ts';
import { evaluateThreshold } from '../verdict/thresholds.ts';
import { VERSION } from '../version.ts';
import { buildResults, type PlanShape } from './build-results.ts';
import { ReusedBase64Buffer } from './reused-base64-buffer.ts';
import { assertOneRun, planToJudge } from './shard-agreement.ts';

export interface ShardFile {
  /** Where it was read from, to name it in errors. */
  name: string;
  results: ResultsFile;
}

export interface MergeOptions {
  /**
   * The plan the user named: its thresholds are judged and its checks after the load run on the
   * merged counters, once its hash (`planHash`) is the shards'.
   */
  plan?: Plan;
  /** The named plan's hash, made as the shards made theirs; absent, it matches none. */
  planHash?: string;
  /** Where the plan was read, to name it. */
  planFile?: string;
  /** Judge by the named plan even when its hash differs from the shards' (every report says so). */
  planMismatchOk?: boolean;
  onLog?: (message: string) => void;
}

/** A shard file checked field by field, with what it recorded of its run. */
export type Shard = ShardFile & { record: ShardRecord };

/** Refuses shards that cannot be one run; returns them in segment order. */
export function validateShards(files: ShardFile[]): Shard[] {
  if (files.length === 0) throw new InputFileError('merge: no shard results given');
  const shards: Shard[] = files.map((f) => ({ ...f, record: checkShardResults(f.name, f.results) }));
  assertOneRun(shards);
  return shards.sort((a, b) => a.record.position - b.record.position);
}

/** The segments of the sequence that no shard brought. */
export function missingSegments(shards: Shard[]): string[] {
  const bounds = (shards[0] as Shard).record.sequence.split(',');
  const have = new Set(shards.map((s) => s.record.position));
  const missing: string[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) if (!have.has(i)) missing.push(`${bounds[i]}:${bounds[i + 1]}`);
  return missing;
}

/** Each open-model scenario's planned arrivals, added up over the shards' parts of them. */
function plannedArrivalsOf(shards: Shard[]): Record<string, number> {
  const planned: Record<string, number> = {};
  for (const s of shards)
    for (const [name, scenario] of Object.entries(s.results.scenarios))
      if (scenario.plannedArrivals !== undefined)
        planned[name] = (planned[name] ?? 0) + scenario.plannedArrivals;
  return planned;
}

export async function mergeShards(files: ShardFile[], options: MergeOptions = {}): Promise<ResultsFile> {
  return mergeValidShards(validateShards(files), options);
}

/** Adds up shards that `validateShards` accepted (in the order it returned them). */
export async function mergeValidShards(shards: Shard[], options: MergeOptions = {}): Promise<ResultsFile> {
  await initHistograms();
  const judged = planToJudge(
    shards,
    options.plan
      ? {
          plan: options.plan,
          file: options.planFile ?? options.plan.name,
          hash: options.planHash ?? '',
          ...(options.planMismatchOk ? { mismatchOk: true } : {}),
        }
      : undefined,
  );
  const missing = missingSegments(shards);
  const log = (message: string) => options.onLog?.(redactString(message));
  const outline = (shards[0] as Shard).record.plan;
  const epochMs = Math.min(...shards.map((s) => s.record.epochMs));
  // A shard's second t is second t + offset of the merged run: shards started at the same
  // instant (--start-at) have no offset.
  const offsetOf = (s: Shard) => Math.round((s.record.epochMs - epochMs) / 1000);

  const store = new MetricStore();
  for (const s of shards) {
    try {
      store.merge(decodeDelta(s.record.metrics));
    } catch (e) {
      throw new InputFileError(
        `${s.name}: shard.metrics.trends: a damaged histogram: ${(e as Error).message}`,
      );
    }
  }

  const timeline = new Timeline(shards.length);
  const scenarioTimeline = new ScenarioTimeline(outline.scenarios.map((s) => s.name));
  // Each scenario's figures of a second, with the shard and the second they were read from.
  const bySecond = new Map<
    number,
    { key: string; name: string; requests: number; histogram?: string; shard: number; index: number }[]
  >();
  /** Where a second's figures were read, for an error: `file: shard.seconds[k]`. */
  const secondAt = (shard: number, index: number) =>
    `${(shards[shard] as Shard).name}: shard.seconds[${index}]`;
  // Second by second over all shards, so that each closes as soon as every shard has given it.
  const feed: { t: number; shard: number; index: number; second: ShardSecond; final: boolean }[] = [];
  shards.forEach((s, i) => {
    const seconds = s.record.seconds;
    if (seconds.length === 0) timeline.abandon(i);
    for (const [k, second] of seconds.entries())
      feed.push({ t: second.t + offsetOf(s), shard: i, index: k, second, final: k === seconds.length - 1 });
  });
  feed.sort((a, b) => a.t - b.t || a.shard - b.shard);
  const severalScenarios = outline.scenarios.length > 1;
  // The timeline adds a second's histogram into its sum during add() and keeps no reference to
  // it: one buffer serves every second's bytes.
  const secondBytes = new ReusedBase64Buffer();
  for (const { t, shard, index, second, final } of feed) {
    const run = second.run;
    const delta: TimelineDelta = {
      requests: run.requests,
      byStatus: run.byStatus,
      errors: run.errors,
      iterations: run.iterations,
      dropped: run.dropped,
      activeVUs: run.activeVUs,
    };
    if (run.histogram) delta.histogram = secondBytes.of(run.histogram);
    try {
      timeline.add(shard, t, delta, final);
    } catch (e) {
      throw new InputFileError(
        `${secondAt(shard, index)}.run.histogram: a damaged histogram: ${(e as Error).message}`,
      );
    }
    // One scenario: its seconds are the run's, taken from the timeline below.
    if (!severalScenarios) continue;
    for (const [name, figures] of Object.entries(second.scenarios)) {
      const list = bySecond.get(t) ?? [];
      const { requests, histogram } = figures;
      list.push({
        key: scenarioKey(name),
        name,
        requests,
        ...(histogram ? { histogram } : {}),
        shard,
        index,
      });
      bySecond.set(t, list);
    }
  }
  // Each scenario's second: its shards' snapshots summed as counts, then made one histogram.
  const scenarioSums = new Map<string, SnapshotSum>();
  for (const t of severalScenarios ? [...bySecond.keys()].sort((a, b) => a - b) : []) {
    const figures = new MetricStore();
    const summed = new Set<string>();
    for (const e of bySecond.get(t) ?? []) {
      figures.addCounter('http_reqs', [e.key], e.requests);
      if (!e.histogram) continue;
      let sum = scenarioSums.get(e.key);
      if (!sum) {
        sum = new SnapshotSum();
        scenarioSums.set(e.key, sum);
      }
      try {
        sum.add(secondBytes.of(e.histogram));
      } catch (err) {
        throw new InputFileError(
          `${secondAt(e.shard, e.index)}.scenarios.${e.name}.histogram: a damaged histogram: ${(err as Error).message}`,
        );
      }
      summed.add(e.key);
    }
    for (const key of summed) {
      const sum = scenarioSums.get(key) as SnapshotSum;
      const histogram = sum.toHistogram();
      figures.trend('http_req_duration', key).add(histogram);
      histogram.destroy();
      sum.clear();
    }
    scenarioTimeline.add(t, figures);
    figures.destroy();
  }

  // Never below 0: a shard stopped before the start records a negative duration.
  const durationMs = Math.max(0, ...shards.map((s) => s.results.durationMs + offsetOf(s) * 1000));
  const thresholds = judged.thresholds.map((spec) =>
    evaluateThreshold(spec, store, judged.metricTypes, durationMs),
  );

  // Checks before and during the load ran in the first shard; those after it run here.
  const firstChecks = shards.find((s) => s.record.position === 0)?.results.checks ?? [];
  let checks: CheckResult[] = firstChecks;
  if (options.plan) {
    const runner = new CheckRunner(
      options.plan.checks.filter((c) => c.after),
      {
        // The first shard's setup() data, as the checks would have had it in a single run.
        setup: shards.find((s) => s.record.position === 0)?.record.setup,
        env: { ...process.env },
        counter: (name) => store.counter(name),
        counterNames: (prefix = '') => [...store.counters.keys()].filter((n) => n.startsWith(prefix)),
      },
      (name, phase, message) => log(`check ${name} failed (${phase}): ${message}`),
    );
    await runner.runPhase('after');
    const after = runner.list();
    checks = [...firstChecks.filter((c) => !after.some((a) => a.name === c.name)), ...after];
  } else if (outline.afterChecks.length) {
    // Not run is not passed: without the plan, the checks after the load cannot hold.
    checks = [
      ...firstChecks.filter((c) => !outline.afterChecks.includes(c.name)),
      ...outline.afterChecks.map(
        (name): CheckResult => ({
          name,
          ok: false,
          runs: 0,
          failures: 0,
          phase: 'after',
          message: 'not run: give `loadproof merge --plan PLAN` to run it on the merged counters',
        }),
      ),
    ];
  }

  // One scenario: its seconds are the run's.
  const points = timeline.finish();
  const runSeconds = points
    .filter((p) => p.requests > 0)
    .map((p) => ({ t: p.t, requests: p.requests, p50: p.p50, p95: p.p95, p99: p.p99 }));
  const interruptions = shards.filter((s) => s.results.interrupted);
  const failures = shards.flatMap((s) =>
    (s.results.workerFailures ?? []).map((f) => `shard ${s.record.segment}: ${f}`),
  );
  const plan: PlanShape = {
    name: outline.name,
    target: (shards[0] as Shard).results.plan.target,
    scenarios: outline.scenarios.map((s) => ({
      name: s.name,
      startTimeMs: s.startTimeMs,
      config: { executor: s.executor },
      flows: s.flows.map((name) => ({ name })),
    })),
  };
  const results = buildResults({
    plan,
    ...((shards[0] as Shard).results.plan.file
      ? { file: (shards[0] as Shard).results.plan.file as string }
      : {}),
    store,
    timeline: points,
    startedAt: new Date(epochMs),
    durationMs,
    interrupted: interruptions.length > 0,
    ...(interruptions.length
      ? {
          interruptReason: interruptions
            .map((s) => `shard ${s.record.segment}: ${s.results.interruptReason ?? 'interrupted'}`)
            .join('; '),
        }
      : {}),
    workerFailures: failures,
    workers: shards.reduce((n, s) => n + s.results.workers, 0),
    scenarioTimeline: severalScenarios ? scenarioTimeline : { of: () => runSeconds },
    thresholds,
    checks,
    version: VERSION,
    plannedArrivals: plannedArrivalsOf(shards),
    ...(outline.validity ? { validityLimits: outline.validity } : {}),
    shardStarts: shards.map((s) => ({ segment: s.record.segment, startSkewMs: s.record.startSkewMs })),
  });
  store.destroy();
  results.verdict.warnings.push(...judged.warnings);
  results.shards = shards.map(
    (s): ShardSummary => ({
      segment: s.record.segment,
      host: s.record.host,
      startSkewMs: s.record.startSkewMs,
      requests: s.results.requests.total,
      errors: Object.values(s.results.requests.errors).reduce((a, b) => a + b, 0),
    }),
  );
  if (missing.length)
    results.verdict = {
      status: 'INCOMPLETE',
      reasons: [
        `missing shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${(shards[0] as Shard).record.sequence}: the run is judged only whole`,
        ...results.verdict.reasons,
      ],
      warnings: results.verdict.warnings,
    };
  return results;
}
