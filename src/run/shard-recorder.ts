/**
 * Keeps what a shard's results need for the merge while the run goes on: each closed second of
 * the run's timeline with its merged histogram, and each scenario's requests and latency in
 * that second. At the end it adds the whole run's metrics and writes the ShardRecord.
 */
import { hostname } from 'node:os';
import type { Segment } from '../engine/segment.ts';
import { type Histogram, snapshotHistogram } from '../metrics/histogram.ts';
import { scenarioKey } from '../metrics/keys.ts';
import type { MetricStore } from '../metrics/store.ts';
import type { TimelinePoint } from '../metrics/timeline.ts';
import type { Plan } from '../plan/types.ts';
import {
  encodeBytes,
  encodeDelta,
  type HashedOptions,
  HISTOGRAM_SETTINGS,
  SHARD_RECORD_VERSION,
  type ShardRecord,
  type ShardSecond,
} from '../results/shard-record.ts';
import type { ResultsFile } from '../results/types.ts';
import { withoutSecrets } from '../results/without-secrets.ts';

export interface ShardIdentity {
  runId: string;
  planHash: string;
  /** What the hash covers beside the plan file. */
  hashedOptions?: HashedOptions;
  segment: Segment;
}

export class ShardRecorder {
  private readonly seconds = new Map<number, ShardSecond>();

  constructor(
    private readonly identity: ShardIdentity,
    private readonly scenarios: readonly string[],
  ) {}

  private second(t: number): ShardSecond {
    let s = this.seconds.get(t);
    if (!s) {
      s = {
        t,
        run: { requests: 0, byStatus: {}, errors: {}, iterations: 0, dropped: 0, activeVUs: 0 },
        scenarios: {},
      };
      this.seconds.set(t, s);
    }
    return s;
  }

  /** A Timeline's onClose: one second of the run, merged over the threads. */
  runSecond(point: TimelinePoint, histogram: Histogram | undefined): void {
    const s = this.second(point.t);
    s.run = {
      requests: point.requests,
      byStatus: point.byStatus,
      errors: point.errors,
      iterations: point.iterations,
      dropped: point.dropped,
      activeVUs: point.activeVUs,
      ...(histogram?.totalCount ? { histogram: encodeBytes(snapshotHistogram(histogram)) } : {}),
    };
  }

  /**
   * A SeriesStream sink: each scenario's requests and latency in one second. With one scenario
   * they are the run's own (the merge takes them from there).
   */
  scenarioSecond(t: number, figures: MetricStore): void {
    if (this.scenarios.length < 2) return;
    for (const name of this.scenarios) {
      const key = scenarioKey(name);
      const requests = figures.counter('http_reqs', key);
      const h = figures.trends.get('http_req_duration')?.get(key);
      if (!requests && !h?.totalCount) continue;
      this.second(t).scenarios[name] = {
        requests,
        ...(h?.totalCount ? { histogram: encodeBytes(snapshotHistogram(h)) } : {}),
      };
    }
  }

  /** The record, with the whole run's metrics (the store is flushed: call it last). */
  finish(plan: Plan, store: MetricStore, epochMs: number, startSkewMs: number, setup: unknown): ShardRecord {
    const { segment } = this.identity;
    return {
      version: SHARD_RECORD_VERSION,
      runId: this.identity.runId,
      planHash: this.identity.planHash,
      ...(this.identity.hashedOptions ? { hashedOptions: this.identity.hashedOptions } : {}),
      segment: segment.toString(),
      sequence: segment.sequenceText(),
      position: segment.position,
      host: hostname(),
      epochMs,
      startSkewMs: Math.round(startSkewMs),
      histogramSettings: HISTOGRAM_SETTINGS,
      plan: {
        name: plan.name,
        scenarios: plan.scenarios.map((s) => ({
          name: s.name,
          executor: s.config.executor,
          startTimeMs: s.startTimeMs,
          flows: s.flows.map((f) => f.name),
        })),
        thresholds: plan.thresholds,
        metricTypes: plan.metricTypes,
        afterChecks: plan.checks.filter((c) => c.after).map((c) => c.name),
        ...(plan.validity ? { validity: plan.validity } : {}),
      },
      metrics: encodeDelta(store.flush()),
      seconds: [...this.seconds.values()].sort((a, b) => a.t - b.t),
      ...(segment.position === 0 && setup !== undefined ? { setup: withoutSecrets(setup) } : {}),
    };
  }
}

/** A shard's results: judged only with the other shards, its record kept for the merge. */
export function asShardResults(results: ResultsFile, record: ShardRecord): ResultsFile {
  return {
    ...results,
    verdict: {
      status: 'SHARD',
      reasons: results.verdict.reasons,
      warnings: [
        "a shard is judged only with the others: run `loadproof merge` on every shard's results.json",
      ],
    },
    shard: record,
  };
}
