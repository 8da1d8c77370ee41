/**
 * The merge of shards is lossless: latencies split over N histograms (as N shards record them)
 * and added back, through the snapshots and base64 text a shard's results.json carries, give
 * the single histogram's counts exactly: every percentile, min, mean and count, and the max
 * within the histogram's precision. (The encoded bytes differ: they carry each one's grown range.)
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  addSnapshot,
  histogramStats,
  initHistograms,
  newHistogram,
  percentileMs,
  recordMs,
  snapshotHistogram,
} from '../../src/metrics/histogram.ts';
import { decodeBytes, encodeBytes } from '../../src/results/shard-record.ts';

before(() => initHistograms());

/** A deterministic spread of latencies from 0.05 ms to a few seconds, with a long tail. */
function latency(i: number): number {
  const u = ((i * 2654435761) % 1_000_003) / 1_000_003;
  return 0.05 + 3 * Math.log(1 - u * 0.999) ** 2;
}

describe('histograms split over shards and merged', () => {
  for (const shards of [1, 2, 3, 7, 16]) {
    it(`${shards} shard(s): the merged histogram equals the single one`, () => {
      const single = newHistogram();
      const parts = Array.from({ length: shards }, () => newHistogram());
      for (let i = 0; i < 50_000; i++) {
        const ms = latency(i);
        recordMs(single, ms);
        recordMs(parts[i % shards] as ReturnType<typeof newHistogram>, ms);
      }
      const merged = newHistogram();
      for (const p of parts) addSnapshot(merged, decodeBytes(encodeBytes(snapshotHistogram(p))));
      // The maximum is kept exactly by one histogram and as its bucket's top (within the
      // precision, 3 significant digits) by a merged one; everything else is equal.
      const { max: singleMax, ...singleStats } = histogramStats(single);
      const { max: mergedMax, ...mergedStats } = histogramStats(merged);
      assert.deepEqual(mergedStats, singleStats);
      assert.ok(Math.abs(mergedMax - singleMax) / singleMax < 0.001, `max ${mergedMax} against ${singleMax}`);
      const every = (h: ReturnType<typeof newHistogram>) =>
        Array.from({ length: 1000 }, (_, k) => percentileMs(h, k / 10));
      assert.deepEqual(every(merged), every(single));
      assert.equal(merged.totalCount, 50_000);
      for (const h of [single, merged, ...parts]) h.destroy();
    });
  }
});
