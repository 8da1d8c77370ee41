/**
 * Every recorded value of a histogram with its count, at the histogram's own resolution: what an
 * output needs to re-bucket latencies in another scheme (OpenTelemetry's exponential histograms)
 * without going through percentiles. The WebAssembly histograms cannot be walked, so the
 * histogram is copied into a plain one through its encoding first.
 */
import hdr from 'hdr-histogram-js';
import type { Histogram } from './histogram.ts';

export interface RecordedValue {
  /** The value in microseconds (the highest of its equivalent range). */
  us: number;
  count: number;
}

interface Walkable {
  recordedValuesIterator: {
    reset(): void;
    hasNext(): boolean;
    next(): { valueIteratedTo: number; countAtValueIteratedTo: number };
  };
  destroy(): void;
}

export function recordedValues(h: Histogram): RecordedValue[] {
  if (h.totalCount === 0) return [];
  const plain = hdr.decodeFromCompressedBase64(
    hdr.encodeIntoCompressedBase64(h),
    32,
    false,
  ) as unknown as Walkable;
  const out: RecordedValue[] = [];
  const it = plain.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    out.push({ us: v.valueIteratedTo, count: v.countAtValueIteratedTo });
  }
  plain.destroy();
  return out;
}
