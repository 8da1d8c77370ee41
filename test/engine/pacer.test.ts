import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constantPacer, rampingPacer } from '../../src/engine/pacer.ts';

describe('constant pacer', () => {
  const cases: [rate: number, durationMs: number, n: number, expectedMs: number][] = [
    [200, 5000, 0, 0],
    [200, 5000, 1, 5],
    [200, 5000, 999, 4995],
    [200, 5000, 1000, Number.POSITIVE_INFINITY],
    [1, 3000, 2, 2000],
    [0.5, 10_000, 4, 8000],
    [3, 1000, 2, 2000 / 3],
  ];
  for (const [rate, d, n, want] of cases) {
    it(`${rate}/s over ${d}ms: iteration ${n} at ${want}ms`, () => {
      const t = constantPacer(rate, d).timeOf(n);
      if (Number.isFinite(want)) assert.ok(Math.abs(t - want) < 1e-6, `got ${t}`);
      else assert.equal(t, want);
    });
  }

  it('dueBy counts the iterations whose time has come', () => {
    const p = constantPacer(200, 5000);
    assert.equal(p.dueBy(-1), 0);
    assert.equal(p.dueBy(0), 1);
    assert.equal(p.dueBy(4.99), 1);
    assert.equal(p.dueBy(5), 2);
    assert.equal(p.dueBy(1000), 201);
    assert.equal(p.dueBy(5000), 1000);
    assert.equal(p.dueBy(60_000), 1000);
  });

  it('runs exactly rate × duration iterations', () => {
    for (const [rate, d] of [
      [200, 5000],
      [7, 3000],
      [1000, 1000],
    ] as const) {
      const p = constantPacer(rate, d);
      let n = 0;
      while (Number.isFinite(p.timeOf(n))) n++;
      assert.equal(n, (rate * d) / 1000);
    }
  });
});

describe('ramping pacer', () => {
  it('a linear ramp from 0 to 100/s over 10 s starts 500 iterations, denser at the end', () => {
    const p = rampingPacer(0, [{ durationMs: 10_000, target: 100 }]);
    let n = 0;
    while (Number.isFinite(p.timeOf(n))) n++;
    assert.equal(n, 500);
    // Integral of the rate 10t/s is 5t²: 125 by 5 s, so iteration 124 (the 125th) starts at 5 s.
    assert.ok(Math.abs(p.timeOf(124) - 5000) < 1e-6);
    assert.ok(Math.abs(p.timeOf(4) - 1000) < 1e-6);
    assert.ok(p.timeOf(0) > 0, 'as in k6, a ramp from 0 starts nothing at 0');
    assert.equal(p.timeOf(499), 10_000, 'as in k6, the iteration due on the very end runs');
  });

  it('as in k6, a ramp whose integral is not whole starts its whole part', () => {
    const p = rampingPacer(0, [
      { durationMs: 1000, target: 15 },
      { durationMs: 1000, target: 15 },
    ]);
    let n = 0;
    while (Number.isFinite(p.timeOf(n))) n++;
    assert.equal(n, 22);
    assert.equal(p.dueBy(0), 0);
    assert.equal(p.dueBy(2000), 22);
  });

  it('stages chain: 100 -> 2000 -> 100 per second (burst)', () => {
    const p = rampingPacer(100, [
      { durationMs: 1000, target: 2000 },
      { durationMs: 1000, target: 100 },
    ]);
    let n = 0;
    while (Number.isFinite(p.timeOf(n))) n++;
    // Each second averages (100 + 2000) / 2 = 1050.
    assert.equal(n, 2100);
    assert.ok(Math.abs(p.timeOf(1049) - 1000) < 1e-6);
    assert.equal(p.dueBy(1000), 1050);
  });

  it('a zero-rate stage is a pause', () => {
    const p = rampingPacer(10, [
      { durationMs: 1000, target: 10 },
      { durationMs: 0, target: 0 },
      { durationMs: 2000, target: 0 },
      { durationMs: 0, target: 10 },
      { durationMs: 1000, target: 10 },
    ]);
    assert.ok(Math.abs(p.timeOf(8) - 900) < 1e-6);
    assert.ok(Math.abs(p.timeOf(9) - 1000) < 1e-6, `due as the pause begins: got ${p.timeOf(9)}`);
    assert.ok(Math.abs(p.timeOf(10) - 3100) < 1e-6, `got ${p.timeOf(10)}`);
    let n = 0;
    while (Number.isFinite(p.timeOf(n))) n++;
    assert.equal(n, 20);
  });

  it('times never decrease', () => {
    const p = rampingPacer(5, [
      { durationMs: 3000, target: 50 },
      { durationMs: 2000, target: 1 },
      { durationMs: 1000, target: 30 },
    ]);
    let prev = -1;
    for (let n = 0; Number.isFinite(p.timeOf(n)); n++) {
      const t = p.timeOf(n);
      assert.ok(t >= prev, `iteration ${n} at ${t} before ${prev}`);
      assert.ok(t <= p.durationMs);
      prev = t;
    }
  });
});
