/**
 * The k6 modules find the running VU in one variable per thread, set back after every await of
 * the script (see src/plan/k6/context.ts): VUs that wait at different moments in one thread each
 * stay themselves, in their own code, groups, array callbacks and async functions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());

describe('k6 scripts: the running VU', () => {
  it('is the right one after every wait, with many VUs in one thread', async () => {
    const r = await runK6(server, 'own-vu.js', ['--workers', '1']);
    assert.equal(r.code, 0, r.stderr);
    const res = r.results();
    assert.deepEqual(res.flowChecks, {
      'own VU after every wait': { passes: 24, fails: 0 },
      'own VU in async code': { passes: 12, fails: 0 },
    });
    // Each VU of the first scenario asked for its own path: 3 iterations of 3 requests. The two
    // scenarios take VU ids from one pool, in the order they start VUs (as in k6): 8 of ids 1..12.
    const perVu = Object.entries(server.paths()).filter(([path]) => path.startsWith('GET /vu/'));
    assert.equal(perVu.length, 8, JSON.stringify(perVu));
    for (const [path, count] of perVu) {
      const id = Number(path.slice('GET /vu/'.length));
      assert.ok(Number.isInteger(id) && id >= 1 && id <= 12, path);
      assert.equal(count, 9, path);
    }
  });
});
