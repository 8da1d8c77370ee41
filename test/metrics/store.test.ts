import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { histogramStats, initHistograms } from '../../src/metrics/histogram.ts';
import { MetricStore } from '../../src/metrics/store.ts';

before(() => initHistograms());

describe('metric store', () => {
  it('deltas from two threads merge to what one store would hold; percentiles are merged, not averaged', () => {
    const a = new MetricStore();
    const b = new MetricStore();
    const one = new MetricStore();
    for (let i = 1; i <= 900; i++) {
      a.addTrend('d', [''], 1);
      one.addTrend('d', [''], 1);
    }
    for (let i = 1; i <= 100; i++) {
      b.addTrend('d', [''], 1000);
      one.addTrend('d', [''], 1000);
    }
    a.addCounter('c', ['', 'scenario=x'], 5);
    b.addCounter('c', [''], 7);
    a.addRate('r', [''], true);
    b.addRate('r', [''], false);
    a.addStatus([''], '200');
    b.addError([''], 'ECONNRESET');
    a.setGauge('g', [''], 3);
    b.setGauge('g', [''], 9);
    const main = new MetricStore();
    main.merge(a.flush());
    main.merge(b.flush());
    const merged = histogramStats(main.trend('d', ''));
    const single = histogramStats(one.trend('d', ''));
    // Equal within HDR's resolution (3 significant digits): a decoded max is its bucket's top.
    for (const k of Object.keys(single) as (keyof typeof single)[]) {
      assert.ok(
        Math.abs(merged[k] - single[k]) <= Math.max(0.001, single[k] * 0.001),
        `${k}: ${merged[k]} vs ${single[k]}`,
      );
    }
    // Averaging the threads' p95s would give (1 + 1000) / 2; merged, 10% of samples at 1000 ms put p95 there.
    assert.ok(merged.p95 >= 999 && merged.p95 <= 1001, `p95 ${merged.p95}`);
    assert.equal(main.counter('c'), 12);
    assert.equal(main.counter('c', 'scenario=x'), 5);
    assert.deepEqual(main.rate('r'), [1, 1]);
    assert.equal(main.statuses.get('')?.get('200'), 1);
    assert.equal(main.errors.get('')?.get('ECONNRESET'), 1);
    assert.deepEqual(main.gauges.get('g')?.get(''), { value: 9, min: 3, max: 9 });
    for (const s of [a, b, one, main]) s.destroy();
  });

  it('flush starts over: the next delta holds only what came after', () => {
    const s = new MetricStore();
    s.addTrend('d', [''], 5);
    s.addCounter('c', [''], 1);
    assert.equal(Object.keys(s.flush().trends.d ?? {}).length, 1);
    const second = s.flush();
    assert.deepEqual(second.trends, {});
    assert.deepEqual(second.counters, {});
    s.destroy();
  });
});
