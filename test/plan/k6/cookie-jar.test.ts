/**
 * k6 cookie jars end to end: the VU's (http.cookieJar()), one of the script's own
 * (new http.CookieJar() with params.jar), response.cookies, and the response's remote address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { responseCookies } from '../../../src/plan/k6/cookies.ts';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());

describe('k6 cookie jars', () => {
  it('reads, sets, deletes and clears the VU jar; a jar of its own replaces it for params.jar', async () => {
    const r = await runK6(server, 'cookie-jar.js', ['--workers', '1']);
    assert.equal(r.code, 0, r.stderr);
    const cookies = (path: string) =>
      server.requests.filter((q) => q.path === path).map((q) => q.headers.cookie ?? '');
    const sessions = cookies('/vu-jar').map((c) => c.replace(/s-\d+/, 's-N'));
    // theme deleted, extra set, pathed not sent outside its path.
    assert.deepEqual(sessions, ['session=s-N; extra=x1', 'session=s-N; extra=x1']);
    assert.deepEqual(cookies('/vu-jar-cleared'), ['', '']);
    // The own jar made in init code keeps its cookie into the next iteration; the VU's jar never sees it.
    assert.deepEqual(cookies('/own-jar-before'), ['', 'own=0']);
    assert.deepEqual(cookies('/own-jar-after'), ['own=0', 'own=1']);
    assert.deepEqual(cookies('/vu-after-own'), ['', '']);
    const checks = r.results().flowChecks;
    for (const name of [
      'response.cookies: the session, HttpOnly, Path /',
      'response.cookies: Expires in epoch ms, no Max-Age',
      'remote_ip and remote_port',
      'cookiesForURL: name to a list of values',
      'http.cookieJar() is the same jar each call',
    ])
      assert.deepEqual(checks[name], { passes: 2, fails: 0 }, name);
  });

  it("response.cookies: every Set-Cookie header, in k6's fields", () => {
    const c = responseCookies([
      'a=1; Domain=.example.com; Path=/x; Secure; Max-Age=30',
      'a="2"; Max-Age=0',
      'b=; HttpOnly; Expires=Thu, 01 Jan 1970 00:00:01 GMT',
      'not a cookie',
    ]);
    assert.deepEqual(c, {
      a: [
        {
          name: 'a',
          value: '1',
          domain: '.example.com',
          path: '/x',
          http_only: false,
          secure: true,
          max_age: 30,
          expires: 0,
        },
        {
          name: 'a',
          value: '2',
          domain: '',
          path: '',
          http_only: false,
          secure: false,
          max_age: -1,
          expires: 0,
        },
      ],
      b: [
        {
          name: 'b',
          value: '',
          domain: '',
          path: '',
          http_only: true,
          secure: false,
          max_age: 0,
          expires: 1000,
        },
      ],
    });
  });
});
