/**
 * What a shard of a sharded run keeps for the merge, in its results.json (`shard`): the run it
 * belongs to, its segment, and its raw figures — the whole run's metrics as one mergeable delta
 * and each second of its timeline with its latency histogram — so that `loadproof merge` can add
 * the shards up losslessly and judge the thresholds once, on the sum.
 */
import type { MetricsDelta } from '../metrics/store.ts';
import type { TimelineDelta } from '../metrics/timeline.ts';

export const SHARD_RECORD_VERSION = 1;

/** The histogram settings every shard must share for the merge to be lossless. */
export const HISTOGRAM_SETTINGS = 'hdr:us:1:3600000000:3';

/** What a shard's plan hash covers beside the plan file's bytes. */
export interface HashedOptions {
  overrides: Record<string, number | boolean>;
  environment: string | null;
}

/** A MetricsDelta whose histograms are base64 text, for JSON. */
export interface EncodedDelta extends Omit<MetricsDelta, 'trends'> {
  trends: Record<string, Record<string, string>>;
}

export interface EncodedTimelineDelta extends Omit<TimelineDelta, 'histogram'> {
  histogram?: string;
}

/** One second of a shard: the run's figures and each scenario's requests and latency. */
export interface ShardSecond {
  /** Seconds since the agreed start (the end of this second). */
  t: number;
  run: EncodedTimelineDelta;
  scenarios: Record<string, { requests: number; histogram?: string }>;
}

/** A threshold as the plan wrote it (the plan's ThresholdSpec, as data). */
export interface RecordedThreshold {
  key: string;
  expression: string;
  critical?: string;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
  isDefault?: boolean;
}

/** The plan as the merge needs it when it is not given the plan file. */
export interface PlanOutline {
  name: string;
  scenarios: { name: string; executor: string; startTimeMs: number; flows: string[] }[];
  thresholds: RecordedThreshold[];
  metricTypes: Record<string, 'trend' | 'counter' | 'rate' | 'gauge'>;
  /** The checks to run after the load: the merge runs them, given the plan. */
  afterChecks: string[];
  /** The run-validity limits the plan changed (fractions of 1 for percentages). */
  validity?: Partial<
    Record<'maxMissedArrivals' | 'maxAborted' | 'minRequests', number> & { shardsOnTime: boolean }
  >;
}

export interface ShardRecord {
  version: typeof SHARD_RECORD_VERSION;
  runId: string;
  /** sha256 of the plan file's content and the options that shape the load. */
  planHash: string;
  /**
   * The options hashed with the plan file (overrides from flags, the Artillery environment), so
   * that a merge given the plan hashes it the same way. Absent (older shards): none.
   */
  hashedOptions?: HashedOptions;
  /** This shard's segment: `1/4:1/2` of the sequence `0,1/4,1/2,3/4,1` (position 1). */
  segment: string;
  sequence: string;
  position: number;
  host: string;
  /** Wall-clock time (epoch ms) of the timeline's second 0: the start every shard agreed on. */
  epochMs: number;
  /** How late this shard started its load after that instant (ms; negative: early). */
  startSkewMs: number;
  histogramSettings: string;
  plan: PlanOutline;
  metrics: EncodedDelta;
  seconds: ShardSecond[];
  /**
   * The first shard's setup() data, for the plan's checks after the load at the merge; secrets
   * taken out (results/without-secrets.ts).
   */
  setup?: unknown;
}

export function encodeBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** The bytes of base64 text (a Buffer, read in place: no copy of it is made). */
export function decodeBytes(text: string): Uint8Array {
  return Buffer.from(text, 'base64');
}

export function encodeDelta(d: MetricsDelta): EncodedDelta {
  const trends: EncodedDelta['trends'] = {};
  for (const [name, series] of Object.entries(d.trends)) {
    trends[name] = {};
    for (const [k, bytes] of Object.entries(series))
      (trends[name] as Record<string, string>)[k] = encodeBytes(bytes);
  }
  return { ...d, trends };
}

export function decodeDelta(d: EncodedDelta): MetricsDelta {
  const trends: MetricsDelta['trends'] = {};
  for (const [name, series] of Object.entries(d.trends)) {
    trends[name] = {};
    for (const [k, text] of Object.entries(series))
      (trends[name] as Record<string, Uint8Array>)[k] = decodeBytes(text);
  }
  return { ...d, trends };
}
