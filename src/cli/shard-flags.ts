/**
 * The flags that make a run one shard of several: `--shard i/N` or `--segment a:b [--segments
 * seq]`, `--start-at`, `--run-id`. Read before the plan loads, so that a bad one is refused first.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseSegment, parseShard, type Segment } from '../engine/segment.ts';
import { UsageError } from '../errors.ts';

export interface ShardFlags {
  shard?: string;
  segment?: string;
  segments?: string;
  startAt?: string;
  runId?: string;
}

/** `--start-at`: an ISO time (with its zone) or epoch milliseconds. */
export function parseStartAt(text: string): number {
  const t = text.trim();
  const ms = /^\d{12,14}$/.test(t) ? Number(t) : /\d{4}-\d\d-\d\dT/.test(t) ? Date.parse(t) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new UsageError(
      `--start-at: expected an ISO time such as 2026-12-02T16:00:00Z or epoch milliseconds, got "${text}"`,
    );
  return ms;
}

export function parseSegmentFlags(flags: ShardFlags): Segment | undefined {
  if (flags.shard !== undefined && flags.segment !== undefined)
    throw new UsageError('--shard and --segment name the same thing: give one of them');
  if (flags.segments !== undefined && flags.segment === undefined)
    throw new UsageError('--segments needs --segment (which of its intervals this process takes)');
  if (flags.shard !== undefined) return parseShard(flags.shard);
  if (flags.segment !== undefined) return parseSegment(flags.segment, flags.segments);
  return undefined;
}

/** sha256 of the plan file and the options that shape its load: shards of one run share it. */
export function planHash(file: string, options: unknown): string {
  return createHash('sha256')
    .update(readFileSync(file))
    .update('\0')
    .update(JSON.stringify(options ?? null))
    .digest('hex');
}

/**
 * The run id: given, or derived from the plan and the agreed start, so that shards started with
 * the same plan and `--start-at` agree on it without being told.
 */
export function runIdOf(flags: ShardFlags, hash: string, startAtMs: number | undefined): string {
  if (flags.runId !== undefined) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(flags.runId))
      throw new UsageError(`--run-id: letters, digits, ".", "_" and "-", at most 63, got "${flags.runId}"`);
    return flags.runId;
  }
  if (startAtMs === undefined)
    throw new UsageError(
      'a shard needs --start-at or --run-id, so that the merge can tell the shards of this run from others',
    );
  return `${startStamp(startAtMs)}-${hash.slice(0, 8)}`;
}

/** The agreed start as a compact UTC stamp for run ids: 20261202T160000Z. */
export function startStamp(startAtMs: number): string {
  return new Date(startAtMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}
