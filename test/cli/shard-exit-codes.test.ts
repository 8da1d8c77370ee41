/**
 * A shard is judged only at the merge, but its exit code is what an orchestrator (a Kubernetes
 * Job, a CI matrix) sees: a shard stopped by a signal, one that lost a worker and one whose
 * teardown() failed exit non-zero. A shard that ran cleanly exits 0 (test/run/shards.test.ts).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const shardPlan = (scenario: string, extra = '') => `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${server.url}',
  scenarios: { main: { ${scenario} } },
  ${extra}
});
`;

const shardArgs = (file: string, out: string) => [
  'run',
  file,
  '--shard',
  '0/2',
  '--run-id',
  'exit-codes',
  '--workers',
  '1',
  '--out',
  out,
];

describe('a shard that did not run its part cleanly exits non-zero', () => {
  it('stopped by SIGTERM: exit 3, its results written as a shard marked interrupted', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      shardPlan(
        `executor: 'constant-vus', vus: 2, duration: '60s', gracefulStop: '2s',
        flow: async (vu) => { await vu.http.get('/hello'); await vu.sleep(0.05); }`,
      ),
    );
    const out = join(dir, 'out');
    const base = server.total();
    const r = await runCli(shardArgs(file, out), {
      cwd: dir,
      signal: 'SIGTERM',
      signalWhen: () => server.total() - base >= 10,
    });
    assert.equal(r.code, 3, r.stderr);
    const res = readResults(out);
    assert.equal(res.verdict.status, 'SHARD');
    assert.equal(res.interrupted, true);
    assert.equal(res.interruptReason, 'stopped by signal (SIGTERM)');
    assert.match(r.stderr, /shard not clean: interrupted: stopped by signal \(SIGTERM\)/);
  });

  it('a worker that exits (process.exit() in a flow): exit 3, the worker named', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      shardPlan(
        `executor: 'shared-iterations', vus: 1, iterations: 40,
        flow: async (vu) => { await vu.http.get('/hello'); if (vu.iteration === 4) process.exit(0); }`,
      ),
    );
    const out = join(dir, 'out');
    const r = await runCli(shardArgs(file, out), { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    const res = readResults(out);
    assert.equal(res.verdict.status, 'SHARD');
    assert.equal(res.workerFailures?.length, 1);
    assert.match(r.stderr, /shard not clean: worker failed: worker 0 exited \(code 0\)/);
  });

  it('teardown() that throws: exit 3, the hook named', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      shardPlan(
        `executor: 'shared-iterations', vus: 1, iterations: 4, flow: async (vu) => { await vu.http.get('/hello'); }`,
        `teardown: () => { throw new Error('cleanup refused'); },`,
      ),
    );
    const out = join(dir, 'out');
    const r = await runCli(shardArgs(file, out), { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    assert.equal(readResults(out).verdict.status, 'SHARD');
    assert.match(r.stderr, /shard not clean: hook failed: teardown\(\) failed: cleanup refused/);
  });
});
