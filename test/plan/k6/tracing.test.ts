/** k6/experimental/tracing: instrumentHTTP and Client put k6-shaped trace context headers on requests. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { FIXTURES, runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
beforeEach(() => server.reset());
after(() => server.close());

/** k6's trace ids start with its prefix 0o756 and the "local run" code 33, as zigzag varints. */
const K6_TRACE_ID = /^dc0742[0-9a-f]{26}$/;

describe('k6 tracing', () => {
  it('instrumentHTTP: every k6/http request (batch too) carries a w3c traceparent, a new trace each, sampled at the rate', async () => {
    const r = await runK6(server, 'tracing-instrument.js');
    assert.equal(r.code, 0, r.stderr);
    const sent = server.requests.map((q) => String(q.headers.traceparent));
    assert.equal(sent.length, 80);
    const flags = new Map<string, number>();
    for (const h of sent) {
      const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/.exec(h);
      assert.ok(m, h);
      assert.match(m[1] as string, K6_TRACE_ID);
      flags.set(m[3] as string, (flags.get(m[3] as string) ?? 0) + 1);
    }
    assert.equal(new Set(sent.map((h) => h.split('-')[1])).size, 80, 'a trace id per request');
    // 80 draws at 0.5: both flags occur (all alike has a chance of 2^-79).
    assert.ok((flags.get('01') ?? 0) > 0 && (flags.get('00') ?? 0) > 0, JSON.stringify([...flags]));
    assert.equal(
      server.requests.filter((q) => q.headers['x-example-header'] === 'instrumented/get').length,
      40,
    );
  });

  it("Client: its requests carry a jaeger header, k6/http's do not; its methods are awaited", async () => {
    const r = await runK6(server, 'tracing-client.js');
    assert.equal(r.code, 0, r.stderr);
    const header = (path: string) =>
      server.requests.filter((q) => q.path === path).map((q) => q.headers['uber-trace-id']);
    for (const path of ['/users/client-get', '/users/client-del']) {
      const sent = header(path);
      assert.equal(sent.length, 3, path);
      for (const h of sent) assert.match(String(h), /^dc0742[0-9a-f]{26}:[0-9a-f]{8}:0:1$/);
    }
    assert.deepEqual(header('/users/plain'), [undefined, undefined, undefined]);
    const checks = r.results().flowChecks;
    for (const name of [
      'the Client answers a Response',
      'the request shows its trace header',
      'del answers too',
    ])
      assert.deepEqual(checks[name], { passes: 3, fails: 0 }, name);
  });

  it('convert names instrumentHTTP and Client as having no plan equivalent', async () => {
    const r = await runCli(['convert', `${FIXTURES}tracing-client.js`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /k6\.unsupported\("Client from 'k6\/experimental\/tracing'"\)/);
  });
});
