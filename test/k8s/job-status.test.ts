/**
 * Reading `kubectl get job/pods -o json` as the Job controller writes it: finished or not, which
 * pod ran which completion index, and why a failed Job failed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describePod, jobFailureLines, jobStateOf, podsByIndex, podsOf } from '../../src/k8s/job-status.ts';

const job = (status: Record<string, unknown>) => ({
  metadata: { name: 'loadproof-run' },
  spec: { completions: 3, completionMode: 'Indexed' },
  status,
});

const pod = (
  name: string,
  index: string | undefined,
  phase: string,
  created: string,
  container?: object,
) => ({
  metadata: {
    name,
    creationTimestamp: created,
    ...(index !== undefined ? { annotations: { 'batch.kubernetes.io/job-completion-index': index } } : {}),
  },
  status: { phase, ...(container ? { containerStatuses: [{ name: 'loadproof', ...container }] } : {}) },
});

describe('job status', () => {
  it('a Job is finished only by a Complete or Failed condition that is True', () => {
    assert.equal(jobStateOf(job({ active: 3 })).finished, undefined);
    // Kubernetes sets SuccessCriteriaMet / FailureTarget before the pods have ended: not yet finished.
    assert.equal(
      jobStateOf(job({ succeeded: 3, conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }] }))
        .finished,
      undefined,
    );
    assert.equal(
      jobStateOf(job({ succeeded: 3, conditions: [{ type: 'Complete', status: 'False' }] })).finished,
      undefined,
    );
    const done = jobStateOf(job({ succeeded: 3, conditions: [{ type: 'Complete', status: 'True' }] }));
    assert.deepEqual(done, {
      name: 'loadproof-run',
      finished: 'complete',
      completions: 3,
      active: 0,
      succeeded: 3,
      failed: 0,
    });
    const failed = jobStateOf(
      job({
        failed: 1,
        succeeded: 2,
        failedIndexes: '1',
        conditions: [
          {
            type: 'Failed',
            status: 'True',
            reason: 'DeadlineExceeded',
            message: 'Job was active longer than specified deadline',
          },
        ],
      }),
    );
    assert.equal(failed.finished, 'failed');
    assert.equal(failed.reason, 'DeadlineExceeded');
    assert.equal(failed.failedIndexes, '1');
  });

  it('pods are grouped by completion index, a succeeded pod first, then the newest', () => {
    const pods = podsOf(
      {
        items: [
          pod('p0-old', '0', 'Failed', '2026-12-02T10:00:00Z', {
            state: { terminated: { exitCode: 1, reason: 'Error' } },
          }),
          pod('p0-new', '0', 'Failed', '2026-12-02T10:05:00Z', {
            state: { terminated: { exitCode: 2, reason: 'Error' } },
          }),
          pod('p1-done', '1', 'Succeeded', '2026-12-02T10:00:00Z', {
            state: { terminated: { exitCode: 0 } },
          }),
          pod('p1-later', '1', 'Failed', '2026-12-02T10:09:00Z'),
          pod('stranger', undefined, 'Running', '2026-12-02T10:00:00Z'),
          pod('beyond', '7', 'Running', '2026-12-02T10:00:00Z'),
        ],
      },
      'loadproof',
    );
    const byIndex = podsByIndex(pods, 3);
    assert.deepEqual(
      byIndex.map((list) => list.map((p) => p.name)),
      [['p0-new', 'p0-old'], ['p1-done', 'p1-later'], []],
    );
  });

  it('a failed Job names its reason and each failed index with its exit code and reason', () => {
    const pods = podsOf(
      {
        items: [
          pod('p0', '0', 'Succeeded', 't', { state: { terminated: { exitCode: 0, reason: 'Completed' } } }),
          pod('p2', '2', 'Failed', 't', { state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }),
          pod('p1', '1', 'Pending', 't', { state: { waiting: { reason: 'ImagePullBackOff' } } }),
        ],
      },
      'loadproof',
    );
    const state = jobStateOf(
      job({
        failed: 1,
        failedIndexes: '2',
        conditions: [
          {
            type: 'Failed',
            status: 'True',
            reason: 'PodFailurePolicy',
            message:
              'Container loadproof for pod load/p2 failed with exit code 137 matching FailJob rule at index 0',
          },
        ],
      }),
    );
    assert.deepEqual(jobFailureLines(state, pods), [
      'job loadproof-run failed (PodFailurePolicy): Container loadproof for pod load/p2 failed with exit code 137 matching FailJob rule at index 0',
      'failed indexes: 2',
      'index 2: pod p2 exited 137 (OOMKilled)',
    ]);
    assert.equal(describePod(pods[2] as (typeof pods)[number]), 'pod p1 is Pending (ImagePullBackOff)');
  });
});
