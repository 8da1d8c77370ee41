/** k6 cookies: a request's own (params.cookies) and the VU's jar, which keeps what a response sets. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());

describe('k6 cookies', () => {
  it('params.cookies are sent, and the jar sends back the cookie /login set', async () => {
    const r = await runK6(server, 'cookies.js');
    assert.equal(r.code, 0, r.stderr);
    const sent = server.requests.filter((q) => q.path === '/with-cookies').map((q) => q.headers.cookie);
    assert.deepEqual(sent, ['flavour=oat; size=2', 'flavour=oat; size=2']);
    assert.deepEqual(r.results().flowChecks['the session cookie came back'], { passes: 2, fails: 0 });
  });
});
