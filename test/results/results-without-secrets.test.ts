/** A whole results file without secrets: only the plan's own text changes, never a figure. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resultsWithoutSecrets } from '../../src/results/results-without-secrets.ts';
import { makeResults } from '../report/fixtures.ts';

describe('results without secrets', () => {
  it('a results file without secrets comes back equal', () => {
    const results = makeResults();
    assert.deepEqual(resultsWithoutSecrets(results), results);
  });

  it("checks' messages and rows, the verdict's reasons and why the run stopped lose their secrets", () => {
    const results = makeResults();
    results.checks = [
      {
        name: 'leak',
        ok: false,
        runs: 1,
        failures: 1,
        message: 'from redis://:hunter2@cache',
        rows: [{ id: 1, api_key: 'k-9' }],
      },
    ];
    results.verdict.reasons = ['check leak failed: from redis://:hunter2@cache'];
    results.interruptReason = 'stopped with token=abc';
    results.workerFailures = ['worker 1: Bearer abcdefgh'];
    const out = resultsWithoutSecrets(results);
    assert.deepEqual(out.checks[0], {
      ...results.checks[0],
      message: 'from redis://:[redacted]@cache',
      rows: [{ id: 1, api_key: '[redacted]' }],
    });
    assert.deepEqual(out.verdict.reasons, ['check leak failed: from redis://:[redacted]@cache']);
    assert.equal(out.interruptReason, 'stopped with token=[redacted]');
    assert.deepEqual(out.workerFailures, ['worker 1: Bearer [redacted]']);
    assert.deepEqual(
      { ...out, checks: [], verdict: {}, interruptReason: '', workerFailures: [] },
      { ...results, checks: [], verdict: {}, interruptReason: '', workerFailures: [] },
    );
  });
});
