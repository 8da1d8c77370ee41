/**
 * What the shards of one run must agree on before they are added up, and which plan judges
 * them. Shards of one run share one run id, plan hash, segment sequence and histogram settings,
 * each segment given once; they share the plan as they recorded it (thresholds, metric types,
 * scenarios, checks after the load) and one planned start; no two bring the same figures. With a
 * plan named at the merge, that plan's thresholds are judged, once its hash is the shards' (or
 * the user said to judge it anyway, which every report then states).
 */
import { createHash } from 'node:crypto';
import { InputFileError } from '../errors.ts';
import type { Plan, ThresholdSpec } from '../plan/types.ts';
import type { PlanOutline, ShardRecord } from '../results/shard-record.ts';
import { parseThreshold } from '../verdict/threshold-parser.ts';

/**
 * How far apart the planned starts (second 0) of shards of one run may be. Shards given one
 * `--start-at` share it to the millisecond (lateness is their start skew, not a later start);
 * shards started without it, each when ready, must still be this close.
 */
export const START_TOLERANCE_MS = 1000;

export interface NamedRecord {
  name: string;
  record: ShardRecord;
}

/** JSON with its object keys sorted: equal values give equal text. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}

/** What names one run: shards that differ in any of these are not one run. */
const IDENTITY_FIELDS = [
  ['run id', (r: ShardRecord) => r.runId],
  ['plan hash', (r: ShardRecord) => r.planHash],
  ['segment sequence', (r: ShardRecord) => r.sequence],
  ['histogram settings', (r: ShardRecord) => r.histogramSettings],
] as const;

/** One run id, plan hash, segment sequence and histogram settings; each segment given once. */
function assertSameIdentity(shards: NamedRecord[]): void {
  const first = shards[0] as NamedRecord;
  for (const [what, of] of IDENTITY_FIELDS)
    for (const s of shards)
      if (of(s.record) !== of(first.record))
        throw new InputFileError(
          `${s.name}: ${what} ${JSON.stringify(of(s.record))} differs from ${first.name}'s ${JSON.stringify(of(first.record))}: these shards are not one run`,
        );
  const seen = new Map<number, string>();
  for (const s of shards) {
    const other = seen.get(s.record.position);
    if (other !== undefined)
      throw new InputFileError(`${s.name}: segment ${s.record.segment} is given twice (also ${other})`);
    seen.set(s.record.position, s.name);
  }
}

const OUTLINE_FIELDS = ['thresholds', 'metricTypes', 'scenarios', 'afterChecks'] as const;

/** Every shard records the plan the same way, and its thresholds parse. */
function assertSameOutline(shards: NamedRecord[]): void {
  const first = shards[0] as NamedRecord;
  for (const field of OUTLINE_FIELDS) {
    const expected = canonical(first.record.plan[field]);
    for (const s of shards)
      if (canonical(s.record.plan[field]) !== expected)
        throw new InputFileError(
          `${s.name}: shard.plan.${field} differ from ${first.name}'s: shards of one run record one plan (a shard file was changed, or the shards ran different plans)`,
        );
  }
  for (const s of shards)
    for (const [i, t] of s.record.plan.thresholds.entries())
      for (const field of ['expression', 'critical'] as const) {
        const source = t[field];
        if (source === undefined) continue;
        try {
          parseThreshold(source);
        } catch (e) {
          throw new InputFileError(
            `${s.name}: shard.plan.thresholds[${i}].${field}: ${(e as Error).message}`,
          );
        }
      }
}

/** One planned start: shards whose second 0 lies further apart are two runs. */
function assertOneStart(shards: NamedRecord[]): void {
  const earliest = shards.reduce((a, b) => (b.record.epochMs < a.record.epochMs ? b : a));
  for (const s of shards) {
    const apartMs = s.record.epochMs - earliest.record.epochMs;
    if (apartMs > START_TOLERANCE_MS)
      throw new InputFileError(
        `${s.name}: shard.epochMs: its start ${new Date(s.record.epochMs).toISOString()} is ${(apartMs / 1000).toFixed(3)} s after ${earliest.name}'s (${new Date(earliest.record.epochMs).toISOString()}); shards of one run share one planned start (within ${START_TOLERANCE_MS} ms): these are two runs (start every shard with the same --start-at)`,
      );
  }
}

/** Two segments never bring the same figures: a copy of one shard's file relabelled is refused. */
function assertNoCopies(shards: NamedRecord[]): void {
  const seen = new Map<string, string>();
  for (const s of shards) {
    // Shards that sent nothing may well look alike.
    if (s.record.seconds.every((x) => x.run.requests === 0 && x.run.iterations === 0)) continue;
    // The whole run's figures (every histogram's bytes among them) tell a copy; its seconds, ten
    // times larger, add nothing to that.
    const digest = createHash('sha256').update(JSON.stringify(s.record.metrics)).digest('hex');
    const other = seen.get(digest);
    if (other !== undefined)
      throw new InputFileError(
        `${s.name}: shard.metrics are identical to ${other}'s: one shard's figures given as two segments`,
      );
    seen.set(digest, s.name);
  }
}

/** Refuses shards that cannot be one run (exit 2, naming the file and the field). */
export function assertOneRun(shards: NamedRecord[]): void {
  assertSameIdentity(shards);
  assertSameOutline(shards);
  assertOneStart(shards);
  assertNoCopies(shards);
}

export interface NamedPlan {
  plan: Plan;
  /** Where it was read, to name it. */
  file: string;
  /** Its hash, made as the shards made theirs (shard-flags.ts planHash, with their options). */
  hash: string;
  /** Judge the shards by it even when the hashes differ; every report then says so. */
  mismatchOk?: boolean;
}

export interface JudgedPlan {
  thresholds: ThresholdSpec[];
  metricTypes: PlanOutline['metricTypes'];
  /** What every report must state about the plan that judged the run. */
  warnings: string[];
}

/**
 * The thresholds to judge: the named plan's when there is one (the user named it), after
 * checking it is the plan the shards ran; else the ones the shards recorded.
 */
export function planToJudge(shards: NamedRecord[], named?: NamedPlan): JudgedPlan {
  const first = shards[0] as NamedRecord;
  const recorded = first.record.plan;
  if (!named) return { thresholds: recorded.thresholds, metricTypes: recorded.metricTypes, warnings: [] };
  const ran = first.record.planHash;
  const judged = { thresholds: named.plan.thresholds, metricTypes: named.plan.metricTypes };
  if (named.hash !== ran) {
    if (!named.mismatchOk)
      throw new InputFileError(
        `--plan ${named.file}: its plan hash ${named.hash.slice(0, 12)} differs from the shards' ${ran.slice(0, 12)} (shard.planHash of ${first.name}): they ran another plan file or other options (--duration, --rate, --vus, --environment); give --plan-mismatch-ok to judge them by this plan anyway`,
      );
    return {
      ...judged,
      warnings: [
        `judged by the thresholds of ${named.file} (plan hash ${named.hash.slice(0, 12)}), not by the plan the shards ran (plan hash ${ran.slice(0, 12)}): --plan-mismatch-ok`,
      ],
    };
  }
  if (canonical(JSON.parse(JSON.stringify(named.plan.thresholds))) !== canonical(recorded.thresholds))
    throw new InputFileError(
      `${first.name}: shard.plan.thresholds differ from those of --plan ${named.file}, whose hash the shards share: the shard files were changed after the run, or the plan makes its thresholds from the environment`,
    );
  return { ...judged, warnings: [] };
}
