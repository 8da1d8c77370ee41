/**
 * What a k6 script runs into and must find as k6 gives it (issue 28, "what runs but differs"):
 * the final URL, the protocol, the `name` tag, connection timings, form lists, maxRedirects, `vus` alone, a throwing
 * check, a hasher digested twice, a jar.set for another domain.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { readResults, runCli } from '../../helpers/cli.ts';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { FIXTURES, runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
beforeEach(() => server.reset());
after(() => server.close());

describe('k6 fidelity', () => {
  it('res.url, res.proto, form lists, hashers, jar.set and the name tag are as in k6', async () => {
    const r = await runK6(server, 'fidelity.js');
    assert.equal(r.code, 0, r.stderr);
    const results = r.results();
    for (const [name, c] of Object.entries(results.flowChecks))
      assert.deepEqual(c, { passes: 1, fails: 0 }, `check "${name}"`);
    assert.equal(Object.keys(results.flowChecks).length, 9);
    assert.equal(server.requests.find((q) => q.path === '/form')?.body, 'topping=onion&topping=bacon&size=L');
    const names = Object.values(results.scenarios)
      .flatMap((s) => s.endpoints.map((e) => `${e.method} ${e.name}`))
      .sort();
    const T = server.url;
    assert.deepEqual(names, [`GET ${T}/hello`, `GET ${T}/named?q=1`, `GET ${T}/redirect`, `POST ${T}/form`]);
  });

  it('names by URL stay within the endpoint series limit: past it they fold into (other)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'loadproof-k6-'));
    const r = await runCli(
      ['run', join(FIXTURES, 'many-urls.js'), '--env', `TARGET=${server.url}`, '--out', out],
      { env: { ...process.env, LOADPROOF_MAX_ENDPOINT_SERIES: '3' } },
    );
    assert.equal(r.code, 0, r.stderr);
    const endpoints = Object.values(readResults(out).scenarios).flatMap((s) => s.endpoints);
    assert.equal(endpoints.length, 4, endpoints.map((e) => e.name).join(', '));
    assert.equal(endpoints.find((e) => e.name === '(other)')?.requests.total, 7);
    assert.equal(server.requests.length, 10);
  });

  it('options.maxRedirects is the run-wide limit', async () => {
    const r = await runK6(server, 'redirect-limit.js');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.results().flowChecks['the 302 is the answer'], { passes: 1, fails: 0 });
    assert.deepEqual(server.paths(), { 'GET /redirect': 1 });
  });

  it("vus alone runs 1 iteration in 1 VU, with k6's warning", async () => {
    const r = await runK6(server, 'vus-alone.js');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /options\.vus=5 is ignored/);
    assert.deepEqual(server.paths(), { 'GET /once': 1 });
    assert.equal(Object.values(r.results().scenarios)[0]?.iterations, 1);
  });

  it('a check predicate that throws fails its check and ends the iteration', async () => {
    const r = await runK6(server, 'check-throws.js');
    const results = r.results();
    assert.deepEqual(results.flowChecks['before the throw'], { passes: 2, fails: 0 });
    assert.deepEqual(results.flowChecks.throws, { passes: 0, fails: 2 });
    assert.equal(results.flowChecks['after the throw'], undefined, 'the checks after it never ran');
    assert.equal(server.count('GET', '/not-reached'), 0, 'the iteration ended at the throw');
    const failed = results.metrics.iteration_failed;
    assert.equal(failed?.type === 'rate' && failed.rate, 1);
    assert.match(r.stderr, /boom/);
  });
});
