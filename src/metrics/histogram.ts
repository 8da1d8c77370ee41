/**
 * HDR histograms of microsecond values (1 µs to 1 h, 3 significant digits), in WebAssembly.
 * WASM histograms live outside the JS heap: every one made here must be destroyed.
 */
import hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

let ready: Promise<void> | undefined;

/** Loads the WebAssembly module once per thread. */
export function initHistograms(): Promise<void> {
  ready ??= hdr.initWebAssembly();
  return ready;
}

const HIGHEST_US = 3_600_000_000;
/**
 * A histogram starts with the range of a few milliseconds and grows to the largest value it is
 * given (autoResize): sized for the whole hour up front, each one would take several times the
 * memory, and a run keeps three per endpoint in each thread and in the merged store.
 */
const INITIAL_HIGHEST_US = 4096;

export function newHistogram(): Histogram {
  return hdr.build({
    useWebAssembly: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: INITIAL_HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

/** Records a duration given in milliseconds, at microsecond resolution. */
export function recordMs(h: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(us < 1 ? 1 : us > HIGHEST_US ? HIGHEST_US : us);
}

/** Compressed base64 (HdrHistogram's own format, for files: results.json). */
export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/**
 * The raw, uncompressed encoding, for handing a histogram to another thread: several times
 * cheaper to make than the compressed one, which matters in a worker whose event loop also
 * starts iterations on time.
 */
export function snapshotHistogram(h: Histogram): Uint8Array {
  // Every histogram here is a WebAssembly one (newHistogram, decodes): encode() is theirs.
  return (h as hdr.WasmHistogram).encode();
}

/** Adds a just-decoded histogram into `into`, then frees it. */
function addDecoded(into: Histogram, decoded: Histogram): void {
  try {
    into.add(decoded);
  } finally {
    decoded.destroy();
  }
}

/** Adds a `snapshotHistogram` into `into`. */
export function addSnapshot(into: Histogram, snapshot: Uint8Array): void {
  addDecoded(into, hdr.WasmHistogram.decode(snapshot, 32));
}

/** Adds an encoded histogram into `into`. */
export function addEncoded(into: Histogram, encoded: string): void {
  addDecoded(into, hdr.decodeFromCompressedBase64(encoded, 32, true));
}

export function decodeHistogram(encoded: string): Histogram {
  const h = newHistogram();
  addEncoded(h, encoded);
  return h;
}

export interface HistogramStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  stdev: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Summary in milliseconds. An empty histogram gives zeros with count 0. */
export function histogramStats(h: Histogram): HistogramStats {
  const count = h.totalCount;
  if (count === 0)
    return { count, min: 0, max: 0, mean: 0, stdev: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
  const ms = (us: number) => round3(us / 1000);
  return {
    count,
    min: ms(h.minNonZeroValue),
    max: ms(h.maxValue),
    mean: ms(h.mean),
    stdev: ms(h.stdDeviation),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
  };
}

/** Value at percentile `p` (0..100) in milliseconds. */
export function percentileMs(h: Histogram, p: number): number {
  return h.totalCount === 0 ? 0 : round3(h.getValueAtPercentile(p) / 1000);
}
