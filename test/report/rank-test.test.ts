import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  exactUCounts,
  kthDifference,
  mannWhitney,
  normalCdf,
  normalQuantile,
  shiftEstimate,
} from '../../src/report/rank-test.ts';

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual}, expected ${expected} ± ${tolerance}`,
  );

// Hollander & Wolfe's permeability example (the one R's wilcox.test documents): W = 35,
// one-sided p 0.1272, so two-sided 0.2544; location shift 0.305.
const atBirth = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
const later = [1.15, 0.88, 0.9, 0.74, 1.21];

describe('Mann-Whitney U', () => {
  it('the exact distribution of U: 3 and 3 values give 20 orderings, symmetric, one each at the ends', () => {
    assert.deepEqual([...exactUCounts(3, 3)], [1, 1, 2, 3, 3, 3, 3, 2, 1, 1]);
    assert.deepEqual([...exactUCounts(2, 1)], [1, 1, 1]);
  });

  it('three values each, all of the candidate above: U = 9, exact two-sided p = 2/20', () => {
    assert.deepEqual(mannWhitney([1, 2, 3], [4, 5, 6]), { u: 9, p: 0.1, method: 'exact' });
    assert.deepEqual(mannWhitney([4, 5, 6], [1, 2, 3]), { u: 0, p: 0.1, method: 'exact' });
  });

  it("Hollander & Wolfe's example: U = 35, p = 0.2544 both ways round", () => {
    const t = mannWhitney(later, atBirth);
    assert.equal(t.u, 35);
    assert.equal(t.method, 'exact');
    close(t.p, 0.2544, 0.0001, 'p');
    close(mannWhitney(atBirth, later).p, 0.2544, 0.0001, 'p reversed');
    assert.equal(mannWhitney(atBirth, later).u, 15);
  });

  it('with ties: the normal approximation with tie and continuity corrections', () => {
    // scipy.stats.mannwhitneyu(y, x, method="asymptotic"): U = 1800, p = 0.086202
    const x = [1, 2, 2, 3, 4, 5, 5, 5, ...Array.from({ length: 47 }, (_, i) => 6 + i)];
    const y = x.map((v) => v * 1.1 + 3);
    const t = mannWhitney(x, y);
    assert.equal(t.method, 'normal');
    assert.equal(t.u, 1800);
    close(t.p, 0.086202, 0.00001, 'p');
  });

  it('identical constant samples: p = 1; two different constants: significant', () => {
    assert.equal(mannWhitney([50, 50, 50, 50, 50], [50, 50, 50, 50, 50]).p, 1);
    const apart = mannWhitney(Array(10).fill(50), Array(10).fill(40));
    assert.equal(apart.u, 0);
    assert.ok(apart.p < 0.001, `p ${apart.p}`);
  });

  it('refuses an empty sample', () => {
    assert.throws(() => mannWhitney([], [1]), RangeError);
  });
});

describe('the normal distribution', () => {
  it('known values', () => {
    close(normalCdf(0), 0.5, 1e-7, 'Φ(0)');
    close(normalCdf(1.959964), 0.975, 1e-6, 'Φ(1.96)');
    close(normalCdf(-3), 0.0013499, 1e-6, 'Φ(-3)');
    close(normalQuantile(0.975), 1.959964, 1e-4, 'z 0.975');
    close(normalQuantile(0.5), 0, 1e-6, 'z 0.5');
  });
});

describe('the Hodges-Lehmann shift', () => {
  it("Hollander & Wolfe's example: 0.305, 95% interval -0.15 .. 0.76", () => {
    const s = shiftEstimate(later, atBirth, 0.95);
    close(s.estimate, 0.305, 1e-9, 'estimate');
    close(s.low as number, -0.15, 1e-9, 'low');
    close(s.high as number, 0.76, 1e-9, 'high');
  });

  it('the k-th difference found by bisection is the one of every pair sorted', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.round((seed / 2 ** 31) * 1000) / 10;
    };
    const x = Array.from({ length: 17 }, next);
    const y = Array.from({ length: 11 }, next);
    const all = x.flatMap((a) => y.map((b) => b - a)).sort((a, b) => a - b);
    for (const k of [1, 2, 50, 93, 94, 150, all.length - 1, all.length])
      assert.equal(kthDifference(x, y, k), all[k - 1], `k ${k}`);
  });

  it('twelve hours of seconds each, tied whole numbers: the shift exactly, without m·n differences in memory', () => {
    const x = Array.from({ length: 43_200 }, (_, i) => 50 + (i % 3));
    const y = x.map((v, i) => 55 + ((v + i) % 3));
    const s = shiftEstimate(x, y, 0.95);
    assert.deepEqual(s, { estimate: 5, low: 5, high: 5 });
  });

  it('too few values for a 95% interval: the estimate alone', () => {
    const s = shiftEstimate([1, 2, 3], [4, 5, 6], 0.95);
    assert.equal(s.estimate, 3);
    assert.equal(s.low, undefined);
    assert.equal(s.high, undefined);
  });

  it('large samples (normal approximation of k): a shift of 10 is inside its interval', () => {
    const x = Array.from({ length: 200 }, (_, i) => (i * 37) % 101);
    const y = x.map((v) => v + 10);
    const s = shiftEstimate(x, y, 0.95);
    assert.equal(s.estimate, 10);
    assert.ok((s.low as number) <= 10 && (s.high as number) >= 10, `${s.low} .. ${s.high}`);
    assert.ok((s.low as number) > 0, `low ${s.low}`);
  });
});
