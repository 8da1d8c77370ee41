/** exec.instance: the process's VUs and iterations, counted over all its worker threads. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());

describe('k6 exec.instance', () => {
  it('counts VUs and iterations of every worker thread', async () => {
    const r = await runK6(server, 'instance.js', ['--workers', '2']);
    assert.equal(r.code, 0, r.stderr);
    // busy's 4 VUs run on both threads: the counts are the process's, not one thread's.
    const busy = Object.values(r.results().scenarios).find((s) => s.name === 'busy');
    assert.equal(busy?.iterations, 20);
    const sent = server.requests.find((q) => q.path === '/report');
    assert.ok(sent, 'the script reported');
    assert.deepEqual(JSON.parse(sent.body), {
      vusInitialized: 7,
      vusActive: 1,
      iterationsCompleted: 20,
      iterationsInterrupted: 2,
    });
  });
});
