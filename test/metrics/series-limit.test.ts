import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointSeriesLimit, MAX_ENDPOINT_SERIES, SeriesLimit } from '../../src/metrics/series-limit.ts';

describe('SeriesLimit', () => {
  it('admits the first names up to the limit, then only those, for good', () => {
    const limit = SeriesLimit.create(100);
    for (let i = 0; i < 100; i++) assert.equal(limit.admit(`GET /users/${i}`), true, `name ${i}`);
    assert.equal(limit.admit('GET /users/100'), false);
    assert.equal(limit.admit('GET /users/5'), true, 'an admitted name stays admitted');
    for (let i = 101; i < 10_000; i++) assert.equal(limit.admit(`GET /users/${i}`), false);
    assert.equal(limit.size, 100);
  });

  it('gives the same answers to every view of one buffer, as worker threads get it', () => {
    const a = SeriesLimit.create(3);
    const b = new SeriesLimit(a.buffer);
    assert.equal(a.admit('x'), true);
    assert.equal(b.admit('y'), true);
    assert.equal(b.admit('x'), true);
    assert.equal(a.admit('z'), true);
    assert.equal(b.admit('w'), false);
    assert.equal(a.admit('w'), false);
    assert.equal(b.size, 3);
    assert.equal(b.limit, 3);
  });

  it('announces the first fold once over all views', () => {
    const a = SeriesLimit.create(1);
    const b = new SeriesLimit(a.buffer);
    assert.equal(b.firstFold(), true);
    assert.equal(a.firstFold(), false);
    assert.equal(b.firstFold(), false);
  });
});

describe('endpointSeriesLimit', () => {
  it('is the default unless LOADPROOF_MAX_ENDPOINT_SERIES says otherwise, and refuses a bad value', () => {
    assert.equal(endpointSeriesLimit({}), MAX_ENDPOINT_SERIES);
    assert.equal(endpointSeriesLimit({ LOADPROOF_MAX_ENDPOINT_SERIES: '1000' }), 1000);
    assert.equal(endpointSeriesLimit({ LOADPROOF_MAX_ENDPOINT_SERIES: '0' }), 0);
    assert.throws(() => endpointSeriesLimit({ LOADPROOF_MAX_ENDPOINT_SERIES: 'many' }), /whole number/);
  });

  it('a limit of 0 folds every name', () => {
    const limit = SeriesLimit.create(0);
    assert.equal(limit.admit('GET /'), false);
    assert.equal(limit.size, 0);
  });
});
