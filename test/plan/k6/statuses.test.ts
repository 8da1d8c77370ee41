/** Which statuses count as failed (k6's response callbacks), and check tags. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());

describe('k6 response callbacks and check tags', () => {
  it('expectedStatuses, setResponseCallback and params.responseCallback decide http_req_failed', async () => {
    const r = await runK6(server, 'statuses.js');
    const res = r.results();
    const failed = Object.fromEntries(
      (res.scenarios.default?.endpoints ?? []).map((e) => [
        e.name.slice(server.url.length),
        e.requests.failed,
      ]),
    );
    assert.deepEqual(failed, {
      '/status/200': 0,
      '/status/404': 0,
      '/status/201': 1,
      '/status/500': 0,
      '/status/503': 0,
    });
    const thresholds = Object.fromEntries(res.thresholds.map((t) => [t.metric, [t.ok, t.actual]]));
    assert.deepEqual(thresholds, {
      'checks{kind:auth}': [true, 0],
      'checks{kind:other}': [true, 1],
      checks: [true, 0.5],
    });
    assert.equal(r.code, 0, r.stderr);
  });
});
