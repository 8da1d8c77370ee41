import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initHistograms } from '../../src/metrics/histogram.ts';
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
});
