/**
 * The suites' recommendation (PERFORMANCE_TEST_RESULTS.md) is NO-GO when a run did not deliver
 * its planned load, as each run's own verdict is, naming the scenario and the criterion.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recommendation } from '../../suites/performance-results.ts';
import { makeResults } from '../report/fixtures.ts';

describe('suite recommendation', () => {
  it('a failed run-validity criterion is NO-GO, named; one that held adds nothing', () => {
    const held = makeResults();
    held.thresholds = [];
    held.checks = [];
    const dropped = makeResults();
    dropped.thresholds = [];
    dropped.checks = [];
    Object.assign(dropped.validity?.[0] ?? {}, { ok: false, actual: '46.3% (9679 of 20920)' });
    const none = { crashes: [], notes: [] };
    assert.deepEqual(recommendation([{ name: 'rehab-load', results: held }], none), {
      status: 'GO',
      reasons: [],
    });
    assert.deepEqual(recommendation([{ name: 'rehab-pipeline', results: dropped }], none), {
      status: 'NO-GO',
      reasons: [
        'rehab-pipeline: run validity maxMissedArrivals failed: missed + dropped arrivals of the planned ones 46.3% (9679 of 20920), limit <= 1%',
      ],
    });
  });
});
