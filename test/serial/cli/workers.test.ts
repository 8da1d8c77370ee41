/**
 * Worker threads: the merged totals of a run on 2 threads equal a single-thread run's.
 */
// Serial: on a machine busy with other test files, an arrival of the open scenario counted as
// missed was once also sent (1,200 requests for 198 open + 1,000 mix; a Node 24 CI run): an
// accounting difference under load that is not yet explained (see the closing note of issue 27).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeHistogram, initHistograms } from '../../../src/metrics/histogram.ts';
import { outsideDir, readResults, runCli, writePlan } from '../../helpers/cli.ts';
import { isTimingThreshold, reasonsOnAnyMachine } from '../../helpers/machine-independent.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
  await initHistograms();
});
after(() => server.close());

const plan = (target: string) => `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  scenarios: {
    mix: {
      executor: 'shared-iterations', vus: 20, iterations: 1000,
      flow: [
        { name: 'ok', weight: 70, flow: async (vu) => { await vu.http.get('/status/200', { name: '/status/:code' }); } },
        { name: 'conflict', weight: 20, flow: async (vu) => { await vu.http.post('/status/409', { json: { units: 10 }, expect: [409] }); } },
        { name: 'broken', weight: 10, flow: async (vu) => { await vu.http.get('/status/500'); } },
      ],
    },
    open: { executor: 'constant-arrival-rate', rate: 100, duration: '2s', maxVUs: 50,
      flow: async (vu) => { await vu.http.get('/hello'); } },
  },
  thresholds: { 'http_req_failed{scenario:mix}': ['rate<0.2'], 'http_req_duration{method:POST}': ['p(99)<1000'] },
});
`;

describe('worker threads', () => {
  it('2 workers give the same totals as 1: requests, statuses, iterations, flows, histogram counts', async () => {
    const dir = outsideDir();
    const file = writePlan(dir, 'plan.ts', plan(server.url));
    const runs = [];
    for (const workers of ['1', '2']) {
      const out = join(dir, `w${workers}`);
      const r = await runCli(['run', file, '--out', out, '--workers', workers, '--quiet'], { cwd: dir });
      assert.ok(r.code === 0 || r.code === 3, r.stderr);
      const results = readResults(out);
      assert.deepEqual(reasonsOnAnyMachine(results), [], r.stderr);
      runs.push(results);
    }
    const [one, two] = runs as [ReturnType<typeof readResults>, ReturnType<typeof readResults>];
    assert.equal(one.workers, 1);
    assert.equal(two.workers, 2);
    for (const r of runs) {
      // The open scenario's 200 arrivals: each sent, or dropped or missed when a busy machine is late.
      const missed = (r.metrics.missed_arrivals as { count?: number } | undefined)?.count ?? 0;
      const open = r.scenarios.open?.requests.total ?? 0;
      assert.equal(open + r.droppedIterations + missed, 200);
      const sent = 1000 + open;
      assert.equal(r.requests.total, sent);
      assert.deepEqual(r.requests.byStatus, { '200': 700 + open, '409': 200, '500': 100 });
      assert.equal(r.iterations, sent);
      assert.deepEqual(r.scenarios.mix?.flows, { ok: 700, conflict: 200, broken: 100 });
      assert.equal(r.scenarios.mix?.requests.failed, 100);
      // A latency threshold is judged, not required to pass (test/helpers/machine-independent.ts).
      assert.deepEqual(
        r.thresholds.map((t) => [t.metric, t.actual, isTimingThreshold(r, t) ? t.actual !== null : t.level]),
        [
          ['http_req_failed{scenario:mix}', 0.1, 'PASS'],
          ['http_req_duration{method:POST}', r.thresholds[1]?.actual, true],
        ],
      );
      const h = decodeHistogram(r.histograms.http_req_duration as string);
      assert.equal(h.totalCount, sent, 'the encoded histogram holds every sample');
      h.destroy();
      const post = r.scenarios.mix?.endpoints.find((e) => e.key === 'POST /status/409');
      assert.equal(post?.latency.count, 200);
    }
    assert.equal(
      one.timeline.reduce((a, p) => a + p.requests, 0),
      two.timeline.reduce((a, p) => a + p.requests, 0),
    );
  });
});
