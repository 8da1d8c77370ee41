import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { targetAt } from '../../src/executors/index.ts';

describe('what a scenario aims at, for the progress display', () => {
  it('open models: the rate, a ramp interpolated', () => {
    const ramp = {
      executor: 'ramping-arrival-rate' as const,
      startRatePerSec: 10,
      stages: [
        { durationMs: 10_000, target: 110 },
        { durationMs: 5_000, target: 110 },
      ],
      maxVUs: 10,
      preAllocatedVUs: 1,
      onSaturation: 'drop' as const,
    };
    assert.equal(targetAt(ramp, 0), '10/s');
    assert.equal(targetAt(ramp, 5_000), '60/s');
    assert.equal(targetAt(ramp, 12_000), '110/s');
    assert.equal(targetAt(ramp, 99_000), '110/s');
    assert.equal(
      targetAt(
        {
          executor: 'constant-arrival-rate',
          ratePerSec: 0.5,
          durationMs: 1,
          maxVUs: 1,
          preAllocatedVUs: 1,
          onSaturation: 'drop',
        },
        0,
      ),
      '0.5/s',
    );
  });

  it('closed models: VUs now, or the iterations', () => {
    const ramp = {
      executor: 'ramping-vus' as const,
      startVUs: 0,
      stages: [{ durationMs: 10_000, target: 50 }],
    };
    assert.equal(targetAt(ramp, 4_000), '20 VUs');
    assert.equal(targetAt({ executor: 'constant-vus', vus: 7, durationMs: 1 }, 0), '7 VUs');
    assert.equal(
      targetAt({ executor: 'shared-iterations', vus: 10, iterations: 1000, maxDurationMs: 1 }, 0),
      '1000 iterations over 10 VUs',
    );
  });
});
