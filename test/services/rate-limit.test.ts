/** The services' rate limiter: fixed windows per key, and a table of keys that stays bounded. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from '../../services/shared/rate-limit.ts';

describe('RateLimiter', () => {
  it('N per window per key, then the seconds left in the window', () => {
    const limiter = new RateLimiter({ max: 2, windowMs: 10_000 });
    assert.deepEqual(
      [limiter.take('a', 0), limiter.take('a', 1000), limiter.take('a', 2000), limiter.take('b', 2000)],
      [0, 0, 8, 0],
    );
    assert.equal(limiter.take('a', 10_000), 0, 'a new window');
  });

  it('past the most keys it keeps, the oldest windows go first: a key in use keeps its count', () => {
    const limiter = new RateLimiter({ max: 1, windowMs: 60_000 });
    for (let i = 0; i < 100_000; i++) limiter.take(`old-${i}`, 0);
    assert.equal(limiter.take('busy', 1), 0);
    assert.ok(limiter.take('busy', 2) > 0, 'over its budget');
    limiter.take('newcomer', 3);
    assert.ok(limiter.take('busy', 4) > 0, 'still over its budget: the table was not cleared');
    assert.ok(limiter.size <= 100_000, `the table holds ${limiter.size} keys`);
    assert.equal(limiter.take('old-0', 5), 0, 'the oldest key was forgotten');
  });

  it('expired windows are dropped as new keys come', () => {
    const limiter = new RateLimiter({ max: 1, windowMs: 1000 });
    for (let i = 0; i < 1000; i++) limiter.take(`k-${i}`, 0);
    limiter.take('later', 5000);
    assert.equal(limiter.size, 1);
  });
});
