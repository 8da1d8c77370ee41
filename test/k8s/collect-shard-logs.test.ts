/**
 * Collecting each completion index's results from its pods' logs, with kubectl replaced by an
 * answer table in this process: which pod is read, and why an index has no results.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { collectAndJudge } from '../../src/cli/k8s-collect-command.ts';
import { IncompleteRunError, KubectlError } from '../../src/errors.ts';
import { collectShardResults } from '../../src/k8s/collect-shard-logs.ts';
import type { JobState } from '../../src/k8s/job-status.ts';
import type { Kubectl } from '../../src/k8s/kubectl.ts';
import { frameResults } from '../../src/results/results-frame.ts';
import type { ResultsFile } from '../../src/results/types.ts';

const job: JobState = { name: 'loadproof-r', completions: 3, active: 0, succeeded: 2, failed: 1 };

const pod = (name: string, index: number, phase: string, created: string) => ({
  metadata: {
    name,
    creationTimestamp: created,
    annotations: { 'batch.kubernetes.io/job-completion-index': String(index) },
  },
  status: { phase },
});

/** A kubectl that answers `get pods` with `pods` and `logs NAME` with `logs[NAME]` (missing: fails). */
function fakeKubectl(pods: object[], logs: Record<string, string>): Kubectl & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    path: 'fake',
    calls,
    run: async (args) => {
      calls.push(args);
      if (args[0] === 'get' && args[1] === 'pods') return JSON.stringify({ items: pods });
      if (args[0] === 'logs') {
        const log = logs[args[1] as string];
        if (log === undefined) throw new KubectlError(`kubectl logs ${args[1]} exited with 1:\nnot found`);
        return log;
      }
      throw new KubectlError(`unexpected kubectl ${args.join(' ')}`);
    },
  };
}

const shardResults = (runId: string) => ({ runId }) as unknown as ResultsFile;

describe('collecting shard results from pod logs', () => {
  it('reads the succeeded pod of each index first, and says why an index has none', async () => {
    const kubectl = fakeKubectl(
      [
        pod('r-0-old', 0, 'Failed', '2026-12-02T10:00:00Z'),
        pod('r-0-ok', 0, 'Succeeded', '2026-12-02T09:00:00Z'),
        pod('r-1-a', 1, 'Failed', '2026-12-02T10:00:00Z'),
      ],
      {
        'r-0-ok': `progress\n${frameResults(shardResults('zero'))}\n`,
        'r-1-a': 'loadproof-results:v1:not-gzip\n',
      },
    );
    const { indexes } = await collectShardResults(kubectl, job, 'load');
    assert.equal(indexes[0]?.pod, 'r-0-ok');
    assert.equal((indexes[0]?.results as unknown as { runId?: string } | undefined)?.runId, 'zero');
    assert.match(indexes[1]?.missing ?? '', /pod r-1-a is Failed; its framed results line is damaged/);
    assert.equal(indexes[2]?.missing, 'no pod ran this index');
    // Only the first pod of index 0 was read: it had the results.
    assert.deepEqual(
      kubectl.calls.filter((c) => c[0] === 'logs').map((c) => c[1]),
      ['r-0-ok', 'r-1-a'],
    );
    assert.deepEqual(kubectl.calls.find((c) => c[0] === 'logs')?.slice(2), [
      '--namespace',
      'load',
      '--container',
      'loadproof',
      '--tail=-1',
    ]);
  });

  it('an unreadable log falls back to the next pod of the index', async () => {
    const kubectl = fakeKubectl(
      [
        pod('r-0-new', 0, 'Failed', '2026-12-02T10:00:00Z'),
        pod('r-0-old', 0, 'Failed', '2026-12-02T09:00:00Z'),
      ],
      { 'r-0-old': frameResults(shardResults('old')) },
    );
    const { indexes } = await collectShardResults(kubectl, { ...job, completions: 1 }, 'load');
    assert.equal(indexes[0]?.pod, 'r-0-old');
    assert.equal((indexes[0]?.results as unknown as { runId?: string } | undefined)?.runId, 'old');
  });

  it('a gzip bomb in a pod log is no results, its size named, its inflating stopped', async () => {
    // 50 gzip members of 16 MB of zeros each: 816 KB of log that would inflate to 800 MB.
    const member = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 50 }, () => member)).toString('base64');
    const kubectl = fakeKubectl([pod('r-0-a', 0, 'Succeeded', '2026-12-02T10:00:00Z')], {
      'r-0-a': `loadproof-results:v1:${bomb}\n`,
    });
    const { indexes } = await collectShardResults(kubectl, { ...job, completions: 1 }, 'load');
    assert.match(indexes[0]?.missing ?? '', /its framed results line is damaged \(it inflates past 128 MB/);
  });

  it('a Job without pods leaves nothing to merge: INCOMPLETE (exit 4), nothing written', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'loadproof-collect-')), 'out');
    const lines: string[] = [];
    await assert.rejects(
      collectAndJudge(fakeKubectl([], {}), job, { namespace: 'load', out, log: (l) => lines.push(l) }),
      (e: unknown) =>
        e instanceof IncompleteRunError && e.exitCode === 4 && /none of its 3 index/.test(e.message),
    );
    assert.match(lines.join('\n'), /job loadproof-r has no pods/);
    assert.match(lines.join('\n'), /index 2: no results: no pod ran this index/);
    assert.equal(readdirSync(out).includes('results.json'), false);
  });
});
