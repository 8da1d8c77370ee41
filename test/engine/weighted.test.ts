import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shareOf } from '../../src/engine/shares.ts';
import { weightedCycle, weightedPicker } from '../../src/engine/weighted.ts';
import { vuTargetAt } from '../../src/executors/stages.ts';

describe('weighted mixes', () => {
  it('70/20/10 gives exactly 70, 20 and 10 in every 100 consecutive picks', () => {
    const pick = weightedPicker([
      { weight: 70, item: 'reserve' },
      { weight: 20, item: 'release' },
      { weight: 10, item: 'consume' },
    ]);
    for (const start of [0, 100, 37, 12_345]) {
      const counts: Record<string, number> = {};
      for (let n = start; n < start + 100; n++) counts[pick(n)] = (counts[pick(n)] ?? 0) + 1;
      assert.deepEqual(counts, { reserve: 70, release: 20, consume: 10 });
    }
  });

  it('spreads choices evenly instead of in runs', () => {
    const cycle = weightedCycle([1, 1]);
    assert.deepEqual(cycle, [0, 1]);
    const c = weightedCycle([70, 20, 10]);
    assert.equal(c.length, 10);
    // No choice of weight 1 in 10 comes twice in a row.
    for (let i = 1; i < c.length; i++) if (c[i] === 2) assert.notEqual(c[i - 1], 2);
  });

  it('a single flow is always picked', () => {
    const pick = weightedPicker([{ weight: 3, item: 'only' }]);
    assert.equal(pick(0), 'only');
    assert.equal(pick(99), 'only');
  });
});

describe('shares among threads', () => {
  it('add up to the total', () => {
    for (const total of [0, 1, 7, 50, 101]) {
      for (const count of [1, 2, 3, 8]) {
        let sum = 0;
        for (let i = 0; i < count; i++) sum += shareOf(total, i, count);
        assert.equal(sum, total, `total ${total} over ${count}`);
      }
    }
    assert.deepEqual(
      [0, 1, 2].map((i) => shareOf(7, i, 3)),
      [3, 2, 2],
    );
  });
});

describe('ramping-vus targets', () => {
  const stages = [
    { durationMs: 10_000, target: 100 },
    { durationMs: 5000, target: 100 },
    { durationMs: 10_000, target: 0 },
  ];
  const cases: [number, number][] = [
    [0, 0],
    [5000, 50],
    [9999, 99],
    [10_000, 100],
    [14_000, 100],
    [20_000, 50],
    [25_000, 0],
    [99_000, 0],
  ];
  for (const [t, want] of cases) {
    it(`at ${t}ms: ${want} VUs`, () => assert.equal(vuTargetAt(0, stages, t), want));
  }
});
