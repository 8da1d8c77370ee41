/** k6's batch limits (options.batch, batchPerHost) and the options refused with their reason. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { batchWaves } from '../../../src/plan/k6/batch-waves.ts';
import { convertOptions } from '../../../src/plan/k6/options.ts';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());

describe('k6 http.batch limits', () => {
  it('sends a batch in waves within batch and batchPerHost, in the order written', () => {
    const a = 'http://a.test/x';
    const b = 'http://b.test/x';
    assert.deepEqual(batchWaves([a, a, a, b, b, a], { total: 3, perHost: 2 }), [
      [0, 1, 3],
      [2, 4, 5],
    ]);
    assert.deepEqual(batchWaves([a, a, a], { total: 0, perHost: 0 }), [[0, 1, 2]]);
    assert.deepEqual(batchWaves([a, a, a], { total: 1, perHost: 0 }), [[0], [1], [2]]);
    assert.deepEqual(batchWaves([], { total: 20, perHost: 6 }), []);
  });

  it("takes k6's defaults (20, 6) and refuses what it cannot do, saying why", () => {
    const plain = convertOptions({});
    assert.equal(plain.batch, 20);
    assert.equal(plain.batchPerHost, 6);
    const set = convertOptions({ batch: 3, batchPerHost: 0 });
    assert.deepEqual([set.batch, set.batchPerHost, set.issues], [3, 0, []]);
    assert.deepEqual(
      convertOptions({ batch: -1, noConnectionReuse: true }).issues.map((i) => [i.path.join('.'), i.message]),
      [
        [
          'noConnectionReuse',
          'noConnectionReuse is not supported: loadproof keeps its connections open and reuses them',
        ],
        ['batch', 'expected a whole number of requests (0: no limit), got -1'],
      ],
    );
  });

  it('a script with batchPerHost 2 has at most two requests to its host at once', async () => {
    const r = await runK6(server, 'batching.js');
    assert.equal(r.code, 0, r.stderr);
    const arrivals = server.requests
      .filter((q) => q.path === '/delay/300')
      .map((q) => q.atMs)
      .sort((x, y) => x - y);
    assert.equal(arrivals.length, 5);
    const gaps = arrivals.slice(1).filter((t, i) => t - (arrivals[i] as number) > 200).length;
    assert.equal(
      gaps,
      2,
      `three waves (2, 2, 1): ${arrivals.map((t) => Math.round(t - (arrivals[0] as number)))}`,
    );
  });
});
