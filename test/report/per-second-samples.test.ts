import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointFigures, runFigures, scenarioFigures } from '../../src/report/per-second-samples.ts';
import type { ResultsFile, TimelinePoint } from '../../src/results/types.ts';
import { makeResults } from './fixtures.ts';

/** A run of 3.044 s whose scenario started 16 ms in and has no requests in its second 3. */
function threeSecondRun(scenarioStartMs: number): ResultsFile {
  const r = makeResults();
  const point = (t: number, requests: number, byStatus: Record<string, number>): TimelinePoint => ({
    ...(r.timeline[0] as TimelinePoint),
    t,
    requests,
    byStatus,
    errors: t === 2 ? { ECONNRESET: 1 } : {},
    p50: 50 + t,
    p95: 70 + t,
    p99: 90 + t,
  });
  r.durationMs = 3044;
  r.timeline = [
    point(1, 48, { '200': 48 }),
    point(2, 50, { '200': 48, '503': 1 }),
    point(3, 50, { '200': 50 }),
    point(4, 2, { '200': 2 }),
  ];
  const s = r.scenarios.mixed as ResultsFile['scenarios'][string];
  s.startMs = scenarioStartMs;
  s.durationMs = 3044 - scenarioStartMs;
  s.timeline = [1, 2, 4].map((t) => {
    const { p50, p95, p99, requests } = r.timeline[t - 1] as TimelinePoint;
    return { t, requests, p50, p95, p99 };
  });
  return r;
}

describe('the per-second samples compare judges', () => {
  it("the run's whole seconds: the partial last one left out; errors % counts no answer and 5xx", () => {
    const f = runFigures(threeSecondRun(16));
    assert.deepEqual(f.perSecond['p95 ms'], [71, 72, 73]);
    assert.deepEqual(f.perSecond.rps, [48, 50, 50]);
    assert.deepEqual(f.perSecond['errors %'], [0, 4, 0]);
  });

  it('a scenario 16 ms late keeps its first second; a second without requests counts 0 rps; no per-second errors', () => {
    const f = scenarioFigures(threeSecondRun(16), 'mixed');
    assert.deepEqual(f?.perSecond['p95 ms'], [71, 72]);
    assert.deepEqual(f?.perSecond.rps, [48, 50, 0]);
    assert.equal(f?.perSecond['errors %'], undefined);
    assert.equal(typeof f?.whole['errors %'], 'number');
  });

  it('a scenario that started half a second in loses that second', () => {
    assert.deepEqual(scenarioFigures(threeSecondRun(500), 'mixed')?.perSecond.rps, [50, 0]);
  });

  it('an endpoint has its whole figures only; an unknown one none', () => {
    const r = threeSecondRun(16);
    const f = endpointFigures(r, 'mixed', 'POST /api/authorizations/:id/reserve');
    assert.deepEqual(f?.perSecond, {});
    assert.equal(f?.whole['p95 ms'], 40);
    assert.equal(endpointFigures(r, 'mixed', 'GET /nothing'), undefined);
  });
});
