/** A k6 response's timing phases, and exec.instance.currentTestRunDuration. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());

describe('k6 timings and exec.instance', () => {
  it('splits the duration into blocked, connecting, waiting and receiving; knows how long the test has run', async () => {
    const r = await runK6(server, 'timings.js');
    assert.equal(r.code, 0, r.stderr);
    const sent = server.requests.find((q) => q.path === '/report');
    assert.ok(sent, 'the script reported');
    const { timings: t, runMs } = JSON.parse(sent.body);
    assert.ok(t.waiting >= 190, `waiting is the time to the first byte: ${t.waiting}`);
    assert.ok(t.blocked >= 0 && t.receiving >= 0, JSON.stringify(t));
    assert.ok(
      Math.abs(t.blocked + t.connecting + t.tls_handshaking + t.waiting + t.receiving - t.duration) < 0.01,
      `the phases add up to the duration: ${JSON.stringify(t)}`,
    );
    assert.equal(t.sending, 0);
    assert.ok(t.connecting > 0, 'the first request of the run opened its connection');
    assert.equal(t.tls_handshaking, 0, 'http: no handshake');
    assert.ok(runMs >= 1000 && runMs < 30_000, `the scenario starts 1s into the test: ${runMs}`);
  });
});
