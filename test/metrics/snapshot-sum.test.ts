/**
 * SnapshotSum reads the counts out of snapshot bytes itself, instead of decoding each snapshot
 * into a WebAssembly histogram: its sum must hold exactly what adding the snapshots into one
 * histogram gives — every bucket's count (compared through the compressed encoding of the
 * recorded values), so every percentile, min, max, mean and count.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import hdr, { type JsHistogram } from 'hdr-histogram-js';
import {
  addSnapshot,
  type Histogram,
  histogramStats,
  initHistograms,
  newHistogram,
  percentileMs,
  snapshotHistogram,
} from '../../src/metrics/histogram.ts';
import { recordedValues } from '../../src/metrics/histogram-buckets.ts';
import { SnapshotSum, valueAtIndex } from '../../src/metrics/snapshot-sum.ts';

before(() => initHistograms());

/** A deterministic spread of microsecond values from 1 µs to an hour, most of them small. */
function value(i: number): number {
  const u = ((i * 2654435761) % 1_000_003) / 1_000_003;
  return Math.max(1, Math.min(3_600_000_000, Math.round(Math.exp(u * 22))));
}

function filled(from: number, count: number, step = 1): Histogram {
  const h = newHistogram();
  for (let i = 0; i < count; i++) h.recordValue(value(from + i * step));
  return h;
}

function assertSame(sum: Histogram, added: Histogram): void {
  assert.deepEqual(recordedValues(sum), recordedValues(added));
  assert.deepEqual(histogramStats(sum), histogramStats(added));
  const every = (h: Histogram) => Array.from({ length: 1001 }, (_, k) => percentileMs(h, k / 10));
  assert.deepEqual(every(sum), every(added));
}

describe('SnapshotSum', () => {
  it("valueAtIndex is the library's own bucket value, for every bucket up to an hour", () => {
    const plain = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 3_600_000_000,
      numberOfSignificantValueDigits: 3,
    }) as unknown as JsHistogram;
    const top = plain.countsArrayIndex(3_600_000_000);
    assert.ok(top > 20_000);
    for (let i = 0; i <= top + 1; i++) assert.equal(valueAtIndex(i), plain.valueFromIndex(i), `index ${i}`);
  });

  for (const parts of [1, 3, 64]) {
    it(`${parts} snapshot(s) summed hold what adding them into one histogram holds`, () => {
      const histograms = Array.from({ length: parts }, (_, p) => filled(p * 7919, 3000, parts));
      const sum = new SnapshotSum();
      const added = newHistogram();
      for (const h of histograms) {
        const bytes = snapshotHistogram(h);
        sum.add(bytes);
        addSnapshot(added, bytes);
      }
      const made = sum.toHistogram();
      assert.equal(sum.totalCount, 3000 * parts);
      assertSame(made, added);
      for (const h of [made, added, ...histograms]) h.destroy();
    });
  }

  it('counts of five LEB128 bytes, and long runs of empty buckets', () => {
    const h = newHistogram();
    h.recordValueWithCount(3, 1_000_000_000);
    h.recordValueWithCount(3_000_000_000, 7);
    h.recordValueWithCount(1500, 200_000);
    const sum = new SnapshotSum();
    sum.add(snapshotHistogram(h));
    sum.add(snapshotHistogram(h));
    const added = newHistogram();
    addSnapshot(added, snapshotHistogram(h));
    addSnapshot(added, snapshotHistogram(h));
    const made = sum.toHistogram();
    assert.equal(made.totalCount, 2 * (1_000_000_000 + 7 + 200_000));
    assertSame(made, added);
    for (const x of [h, made, added]) x.destroy();
  });

  it('a cleared sum holds nothing of what it held, and sums again', () => {
    const first = filled(1, 2000);
    const second = filled(50_000, 500);
    const sum = new SnapshotSum();
    sum.add(snapshotHistogram(first));
    sum.clear();
    assert.equal(sum.totalCount, 0);
    sum.add(snapshotHistogram(second));
    const made = sum.toHistogram();
    const added = newHistogram();
    addSnapshot(added, snapshotHistogram(second));
    assertSame(made, added);
    for (const h of [first, second, made, added]) h.destroy();
  });

  it('an empty sum makes an empty histogram; bytes that are not a snapshot are refused', () => {
    const sum = new SnapshotSum();
    const empty = newHistogram();
    sum.add(snapshotHistogram(empty));
    const made = sum.toHistogram();
    assert.equal(made.totalCount, 0);
    assert.equal(sum.totalCount, 0);
    assert.throws(() => sum.add(new Uint8Array(64)), /not a histogram snapshot/);
    const cut = snapshotHistogram(filled(1, 100));
    assert.throws(() => sum.add(cut.subarray(0, cut.length - 3)), /cut short/);
    for (const x of [empty, made]) x.destroy();
  });
});
