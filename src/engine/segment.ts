/**
 * A segment of a run: the part of a plan's load that one process takes when several processes
 * (shards) run the plan together, after k6's execution segments. A segment is one interval of a
 * sequence that cuts [0, 1) into pieces, and every process knows the whole sequence, so that
 * each can compute its own part alone and the parts add up to the whole exactly:
 * - open model: arrival n of the single-process schedule belongs to exactly one segment (its
 *   residue n mod D, spread by a multiplier coprime to D, falls into that segment's interval);
 * - closed model: VUs and iterations are apportioned by largest remainder over the sequence;
 * - VU ids are unique over all segments.
 * Threads inside a process split their segment further (see shares.ts); the whole run is the
 * segment 0:1 of the sequence 0,1.
 */
import { UsageError } from '../errors.ts';

export interface Fraction {
  readonly n: number;
  readonly d: number;
}

/** The largest common denominator of a sequence: arrivals repeat their owners every D. */
export const MAX_SEGMENT_DENOMINATOR = 1_000_000;
/** The most shards one run can have. */
export const MAX_SHARDS = 10_000;

/** A segment as plain data, to cross into worker threads and into results. */
export interface SegmentSpec {
  /** The sequence's boundaries, "0,1/4,1". */
  sequence: string;
  /** Which interval of it (0-based). */
  position: number;
}

export class Segment {
  /** Boundaries as numerators over `denominator`: 0 = b0 < b1 < ... < bk = denominator. */
  private readonly bounds: readonly number[];
  /** Residues r of n mod denominator that this segment owns, ascending. */
  private readonly residues: readonly number[];
  /** Multiplies a residue into its slot of [0, denominator): spreads each segment over the cycle. */
  private readonly spread: number;

  private constructor(
    /** The sequence's boundaries, from 0 to 1. */
    readonly sequence: readonly Fraction[],
    /** Which interval of the sequence this is (0-based). */
    readonly position: number,
    readonly denominator: number,
  ) {
    this.bounds = sequence.map((f) => (f.n * denominator) / f.d);
    const from = this.bounds[position] as number;
    const to = this.bounds[position + 1] as number;
    this.spread = spreadingMultiplier(denominator);
    const owned: number[] = [];
    for (let r = 0; r < denominator; r++) {
      const slot = (r * this.spread) % denominator;
      if (slot >= from && slot < to) owned.push(r);
    }
    this.residues = owned;
  }

  /** The whole run: what a single process takes. */
  static whole(): Segment {
    return Segment.of([ZERO, ONE], 0);
  }

  /** Shard `index` of `count` equal shards. */
  static shard(index: number, count: number): Segment {
    const sequence = Array.from({ length: count + 1 }, (_, i) => reduce(i, count));
    return Segment.of(sequence, index);
  }

  /** Interval `position` of a sequence of boundaries from 0 to 1, strictly increasing. */
  static of(sequence: readonly Fraction[], position: number): Segment {
    let denominator = 1;
    for (const f of sequence) denominator = lcm(denominator, f.d);
    return new Segment(sequence, position, denominator);
  }

  static fromSpec(spec: SegmentSpec): Segment {
    return Segment.of(parseSequence(spec.sequence), spec.position);
  }

  toSpec(): SegmentSpec {
    return { sequence: this.sequenceText(), position: this.position };
  }

  get from(): Fraction {
    return this.sequence[this.position] as Fraction;
  }

  get to(): Fraction {
    return this.sequence[this.position + 1] as Fraction;
  }

  /** How many intervals the sequence has (shards in the run). */
  get count(): number {
    return this.sequence.length - 1;
  }

  get isWhole(): boolean {
    return this.count === 1;
  }

  /** "1/4:1/2", as `--segment` takes it. */
  toString(): string {
    return `${formatFraction(this.from)}:${formatFraction(this.to)}`;
  }

  /** "0,1/4,1/2,1", as `--segments` takes it. */
  sequenceText(): string {
    return this.sequence.map(formatFraction).join(',');
  }

  /** Whether arrival `n` (0-based, of the single-process schedule) is this segment's. */
  owns(n: number): boolean {
    const slot = ((n % this.denominator) * this.spread) % this.denominator;
    return (
      slot >= (this.bounds[this.position] as number) && slot < (this.bounds[this.position + 1] as number)
    );
  }

  /** The single-process arrival index of this segment's `q`-th arrival (0-based, increasing in q). */
  nth(q: number): number {
    const m = this.residues.length;
    if (m === 0) return Number.POSITIVE_INFINITY;
    return Math.floor(q / m) * this.denominator + (this.residues[q % m] as number);
  }

  /** How many of the arrivals 0 .. total-1 of the single-process schedule are this segment's. */
  arrivalsOf(total: number): number {
    const whole = Math.floor(total / this.denominator) * this.residues.length;
    const rest = total % this.denominator;
    let inRest = 0;
    for (const r of this.residues) {
      if (r >= rest) break;
      inRest++;
    }
    return whole + inRest;
  }

  /** This segment's part of `total` VUs or iterations: largest remainder over the sequence. */
  share(total: number): number {
    return apportion(total, this.bounds, this.denominator)[this.position] as number;
  }

  /** A VU id unique over every segment of the sequence, for this segment's `local`-th VU (0-based). */
  vuId(local: number): number {
    return local * this.count + this.position + 1;
  }
}

/** Splits `total` by the weights of the intervals between `bounds` (numerators over `denominator`). */
export function apportion(total: number, bounds: readonly number[], denominator: number): number[] {
  const parts: number[] = [];
  const remainders: { index: number; remainder: number }[] = [];
  let given = 0;
  for (let i = 0; i + 1 < bounds.length; i++) {
    const weight = (bounds[i + 1] as number) - (bounds[i] as number);
    const exact = total * weight;
    const part = Math.floor(exact / denominator);
    parts.push(part);
    remainders.push({ index: i, remainder: exact - part * denominator });
    given += part;
  }
  remainders.sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (let k = 0; k < total - given; k++) parts[(remainders[k] as { index: number }).index]++;
  return parts;
}

/**
 * A multiplier coprime to `d` near d/φ: with it, a segment's residues are spread over each
 * cycle of d arrivals instead of taking a block of consecutive ones.
 */
function spreadingMultiplier(d: number): number {
  if (d <= 2) return 1;
  const near = Math.round(d * 0.6180339887498949);
  for (let delta = 0; ; delta++) {
    if (near - delta > 0 && gcd(near - delta, d) === 1) return near - delta;
    if (gcd(near + delta, d) === 1) return near + delta;
  }
}

const ZERO: Fraction = { n: 0, d: 1 };
const ONE: Fraction = { n: 1, d: 1 };

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function lcm(a: number, b: number): number {
  const l = (a / gcd(a, b)) * b;
  if (l > MAX_SEGMENT_DENOMINATOR)
    throw new UsageError(
      `segments: the boundaries need a common denominator above ${MAX_SEGMENT_DENOMINATOR}; use simpler fractions`,
    );
  return l;
}

function reduce(n: number, d: number): Fraction {
  const g = gcd(n, d) || 1;
  return { n: n / g, d: d / g };
}

function formatFraction(f: Fraction): string {
  return f.d === 1 ? String(f.n) : `${f.n}/${f.d}`;
}

function compare(a: Fraction, b: Fraction): number {
  return a.n * b.d - b.n * a.d;
}

/** "1/3", "0.25", "25%", "0", "1" → a fraction in [0, 1]. */
export function parseFraction(text: string, what: string): Fraction {
  const f = fractionOf(text.trim(), what);
  if (!f) throw new UsageError(`${what}: "${text}" is not a fraction (write 1/3, 0.25 or 25%)`);
  if (f.n > f.d) throw new UsageError(`${what}: "${text}" is above 1`);
  return f;
}

function fractionOf(t: string, what: string): Fraction | undefined {
  const ratio = /^(\d{1,7})\/(\d{1,7})$/.exec(t);
  if (ratio) {
    const d = Number(ratio[2]);
    if (d === 0) throw new UsageError(`${what}: "${t}" divides by zero`);
    return reduce(Number(ratio[1]), d);
  }
  const decimal = /^(\d)(?:\.(\d{1,6}))?$/.exec(t);
  if (decimal) return reduce(Number(decimal[1] + (decimal[2] ?? '')), 10 ** (decimal[2] ?? '').length);
  const percent = /^(\d{1,3})(?:\.(\d{1,4}))?%$/.exec(t);
  if (percent) return reduce(Number(percent[1] + (percent[2] ?? '')), 100 * 10 ** (percent[2] ?? '').length);
  return undefined;
}

/** `--shard i/N`: shard i (0-based) of N equal shards. */
export function parseShard(text: string): Segment {
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(text);
  if (!m) throw new UsageError(`--shard: expected INDEX/COUNT such as 0/4 (index from 0), got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new UsageError(`--shard ${text}: the count must be at least 1`);
  if (count > MAX_SHARDS) throw new UsageError(`--shard ${text}: at most ${MAX_SHARDS} shards`);
  if (index >= count)
    throw new UsageError(
      `--shard ${text}: the index counts from 0, so it must be below ${count} (0..${count - 1})`,
    );
  return Segment.shard(index, count);
}

/**
 * `--segment a:b`, with `--segments` the whole sequence (every shard of a run must be given the
 * same); without it the sequence is 0, a, b, 1.
 */
export function parseSegment(text: string, sequenceText?: string): Segment {
  const m = /^([^:]+):([^:]+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--segment: expected FROM:TO such as 1/4:1/2, got "${text}"`);
  const from = parseFraction(m[1] as string, `--segment ${text}`);
  const to = parseFraction(m[2] as string, `--segment ${text}`);
  if (compare(from, to) >= 0) throw new UsageError(`--segment ${text}: FROM must be below TO`);
  const sequence = sequenceText
    ? parseSequence(sequenceText)
    : [ZERO, from, to, ONE].filter((f, i, all) => i === 0 || compare(f, all[i - 1] as Fraction) > 0);
  const position = sequence.findIndex((f) => compare(f, from) === 0);
  if (position < 0 || compare(sequence[position + 1] ?? ONE, to) !== 0 || position + 1 >= sequence.length)
    throw new UsageError(`--segment ${text}: not one interval of --segments ${sequenceText}`);
  return Segment.of(sequence, position);
}

export function parseSequence(text: string): Fraction[] {
  const parts = text.split(',').map((p) => parseFraction(p, `--segments ${text}`));
  if (
    parts.length < 2 ||
    compare(parts[0] as Fraction, ZERO) !== 0 ||
    compare(parts.at(-1) as Fraction, ONE) !== 0
  )
    throw new UsageError(`--segments ${text}: must run from 0 to 1, such as 0,1/4,1`);
  for (let i = 1; i < parts.length; i++)
    if (compare(parts[i] as Fraction, parts[i - 1] as Fraction) <= 0)
      throw new UsageError(`--segments ${text}: boundaries must increase`);
  if (parts.length - 1 > MAX_SHARDS)
    throw new UsageError(`--segments ${text}: at most ${MAX_SHARDS} segments`);
  return parts;
}
