/**
 * The sum of many histogram snapshots (`snapshotHistogram` bytes), kept as plain counts per
 * bucket. Adding a snapshot reads its counts straight from the bytes, with no WebAssembly
 * histogram made and freed for each one: what a merge of many seconds of many threads or shards
 * pays for. The sum becomes a histogram once, when it is wanted, and holds exactly the counts
 * that adding every snapshot into one histogram would have given.
 *
 * The bytes are HdrHistogram's V2 encoding: a 40-byte big-endian header (cookie, payload length,
 * normalizing offset, significant digits, lowest and highest trackable value, conversion ratio),
 * then one ZigZag LEB128 number per bucket in index order, a negative one standing for that many
 * empty buckets.
 */
import { type Histogram, newHistogram } from './histogram.ts';

const V2_COOKIE = 0x1c849313;
const HEADER_BYTES = 40;
/** The settings of every histogram made by newHistogram(): its buckets are the ones summed. */
const SIGNIFICANT_DIGITS = 3;
const LOWEST_DISCERNIBLE = 1;
/** log2 of half the buckets of one power of two: 2 * 10^3 values need 2048 sub-buckets. */
const HALF_MAGNITUDE = Math.ceil(Math.log2(2 * 10 ** SIGNIFICANT_DIGITS)) - 1;
const HALF_COUNT = 2 ** HALF_MAGNITUDE;
/**
 * Buckets of values below 2^35 µs (9.5 hours; recorded values stop at 1 hour): a snapshot that
 * skips or counts past them is damaged, and would make the sum grow without bound.
 */
export const MAX_BUCKETS = (36 - HALF_MAGNITUDE) * HALF_COUNT;
/** Above this, a bucket's count is no count a run made (and sums would lose integer precision). */
const MAX_BUCKET_COUNT = 2 ** 48;

/** The lowest value that falls in bucket `index` of a histogram with the settings above. */
export function valueAtIndex(index: number): number {
  let bucket = Math.floor(index / HALF_COUNT) - 1;
  let sub = (index % HALF_COUNT) + HALF_COUNT;
  if (bucket < 0) {
    sub -= HALF_COUNT;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

export class SnapshotSum {
  private counts = new Float64Array(256);
  /** One past the highest bucket with a count. */
  private end = 0;
  private total = 0;

  /** How many values the summed snapshots hold. */
  get totalCount(): number {
    return this.total;
  }

  add(bytes: Uint8Array): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < HEADER_BYTES || view.getInt32(0) !== V2_COOKIE)
      throw new Error('not a histogram snapshot (no V2 encoding cookie)');
    const payload = view.getInt32(4);
    if (
      view.getInt32(12) !== SIGNIFICANT_DIGITS ||
      view.getUint32(16) * 2 ** 32 + view.getUint32(20) !== LOWEST_DISCERNIBLE
    )
      throw new Error('a histogram snapshot with other settings than newHistogram() cannot be summed');
    const stop = HEADER_BYTES + payload;
    if (stop > bytes.byteLength) throw new Error('a histogram snapshot is cut short');
    let at = HEADER_BYTES;
    let index = 0;
    while (at < stop) {
      // ZigZag LEB128 of up to 9 bytes; arithmetic, not bit operations, past 31 bits.
      let byte = bytes[at++] as number;
      let raw = byte & 0x7f;
      let scale = 128;
      while (byte & 0x80 && at < stop) {
        byte = bytes[at++] as number;
        raw += (byte & 0x7f) * scale;
        scale *= 128;
      }
      if (raw % 2 === 1) {
        index += (raw + 1) / 2;
        if (index > MAX_BUCKETS)
          throw new Error(`a histogram snapshot skips past its last bucket (${index})`);
        continue;
      }
      const count = raw / 2;
      if (count > 0) {
        if (index >= MAX_BUCKETS)
          throw new Error(`a histogram snapshot counts past its last bucket (${index})`);
        if (count > MAX_BUCKET_COUNT)
          throw new Error(`a histogram snapshot holds an impossible count (${count})`);
        if (index >= this.counts.length) this.grow(index + 1);
        (this.counts as Float64Array)[index] = (this.counts[index] as number) + count;
        this.total += count;
        if (index >= this.end) this.end = index + 1;
      }
      index++;
    }
  }

  /**
   * A new histogram (the caller destroys it) holding the sum. Each bucket's count is recorded at
   * its lowest value, the highest bucket's at its highest one: the minimum and maximum a decoded
   * snapshot reports.
   */
  toHistogram(): Histogram {
    const h = newHistogram();
    const last = this.end - 1;
    for (let i = 0; i < last; i++) {
      const count = this.counts[i] as number;
      if (count > 0) h.recordValueWithCount(valueAtIndex(i), count);
    }
    if (last >= 0) h.recordValueWithCount(valueAtIndex(last + 1) - 1, this.counts[last] as number);
    return h;
  }

  /** Empties the sum, keeping its room for the next one. */
  clear(): void {
    this.counts.fill(0, 0, this.end);
    this.end = 0;
    this.total = 0;
  }

  private grow(length: number): void {
    let size = this.counts.length * 2;
    while (size < length) size *= 2;
    const bigger = new Float64Array(size);
    bigger.set(this.counts);
    this.counts = bigger;
  }
}
