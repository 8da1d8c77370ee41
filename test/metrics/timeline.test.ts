import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  addSnapshot,
  type Histogram,
  histogramStats,
  initHistograms,
  newHistogram,
  percentileMs,
  recordMs,
  snapshotHistogram,
} from '../../src/metrics/histogram.ts';
import type { TimelineDelta } from '../../src/metrics/timeline.ts';
import { Timeline } from '../../src/metrics/timeline.ts';

const delta = (byStatus: Record<string, number>, errors: Record<string, number> = {}): TimelineDelta => ({
  requests:
    Object.values(byStatus).reduce((a, b) => a + b, 0) + Object.values(errors).reduce((a, b) => a + b, 0),
  byStatus,
  errors,
  iterations: 0,
  dropped: 0,
  activeVUs: 1,
});

before(() => initHistograms());

describe('Timeline', () => {
  it('closes a second once every thread has passed it, with the counts of all threads summed', () => {
    const t = new Timeline(2);
    t.add(0, 1, delta({ 200: 5, 503: 1 }), false);
    t.add(0, 2, delta({ 200: 1 }), false);
    assert.equal(t.latest(), undefined, 'thread 1 has not reported second 1 yet');
    t.add(1, 1, delta({ 200: 2 }, { ECONNRESET: 1 }), false);
    t.add(1, 2, delta({ 200: 3 }), true);
    t.add(0, 3, delta({}), true);
    const points = t.finish();
    assert.deepEqual(
      points.map((p) => [p.t, p.requests, p.byStatus, p.errors]),
      [
        [1, 9, { 200: 7, 503: 1 }, { ECONNRESET: 1 }],
        [2, 4, { 200: 4 }, {}],
        [3, 0, {}, {}],
      ],
    );
  });

  it("a second's percentiles, and the histogram handed to onClose, are those of every thread's latencies added up", () => {
    const threads = 5;
    const closed: { t: number; stats: ReturnType<typeof histogramStats> }[] = [];
    const t = new Timeline(threads, (point, h) => {
      if (h) closed.push({ t: point.t, stats: histogramStats(h) });
    });
    const expected = new Map<number, Histogram>();
    for (const second of [1, 2]) {
      const all = newHistogram();
      expected.set(second, all);
      for (let thread = 0; thread < threads; thread++) {
        const h = newHistogram();
        // Each thread's own spread, from tens of microseconds to seconds.
        for (let i = 0; i < 400; i++) {
          const ms = 0.02 + ((i * 7919 + thread * 104_729 + second * 31) % 5000) ** 2 / 10_000;
          recordMs(h, ms);
        }
        addSnapshot(all, snapshotHistogram(h));
        t.add(thread, second, { ...delta({ 200: 400 }), histogram: snapshotHistogram(h) }, second === 2);
        h.destroy();
      }
    }
    const points = t.finish();
    for (const p of points) {
      const all = expected.get(p.t) as Histogram;
      assert.deepEqual(
        [p.p50, p.p95, p.p99],
        [percentileMs(all, 50), percentileMs(all, 95), percentileMs(all, 99)],
      );
      assert.deepEqual(closed.find((c) => c.t === p.t)?.stats, histogramStats(all));
      assert.ok(p.p99 > p.p50);
      all.destroy();
    }
    assert.equal(points.length, 2);
  });
});
