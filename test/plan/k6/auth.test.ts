/** k6's basic auth: credentials in the URL become an Authorization header and leave the URL and names. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentialsOf, withoutCredentials } from '../../../src/plan/k6/basic-auth.ts';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());

describe('k6 params.auth', () => {
  it('credentialsOf: a Basic header from the URL, decoded; the URL without them', () => {
    assert.deepEqual(credentialsOf('http://bob:p%3Aw@h:8080/x?q=1', 'basic'), {
      url: 'http://h:8080/x?q=1',
      authorization: `Basic ${Buffer.from('bob:p:w').toString('base64')}`,
    });
    assert.deepEqual(credentialsOf('http://h/x', 'basic'), { url: 'http://h/x' });
    assert.deepEqual(credentialsOf('http://h/a@b', undefined), { url: 'http://h/a@b' });
    assert.deepEqual(credentialsOf('http://u:p@h/x', 'digest'), {
      url: 'http://h/x',
      digest: { user: 'u', password: 'p' },
    });
    assert.throws(() => credentialsOf('http://u:p@h/', 'ntlm'), /params.auth "ntlm" is not supported/);
    assert.throws(() => credentialsOf('http://u:p@h/', 'kerberos'), /must be "basic", "digest" or "ntlm"/);
    assert.equal(withoutCredentials('https://u:p@h/x?at=a@b'), 'https://h/x?at=a@b');
  });

  it('sends the header, keeps credentials out of URLs and names, refuses ntlm', async () => {
    const r = await runK6(server, 'auth.js');
    assert.equal(r.code, 0, r.stderr);
    const basic = `Basic ${Buffer.from('alice:s@cret').toString('base64')}`;
    const auth = (path: string) => server.requests.find((q) => q.path === path)?.headers.authorization;
    assert.equal(auth('/basic'), basic);
    assert.equal(
      auth('/implicit'),
      basic,
      'credentials in the URL are sent without params.auth too, as k6 does',
    );
    assert.equal(auth('/named/7'), basic);
    assert.equal(auth('/own-header'), 'Bearer mine', 'an Authorization header of the script wins');
    const results = r.results();
    const names = Object.values(results.scenarios).flatMap((s) => s.endpoints.map((e) => e.name));
    const T = server.url;
    assert.deepEqual(names.sort(), [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: http.url names its requests with a literal ${}.
      '${}/named/${}',
      `${T}/basic`,
      `${T}/implicit`,
      `${T}/own-header`,
      `${T}/report`,
    ]);
    for (const n of names) assert.doesNotMatch(n, /alice|cret/, `no credentials in the name ${n}`);
    assert.deepEqual(results.flowChecks['the response URL has no credentials'], { passes: 1, fails: 0 });
    const refused = JSON.parse(server.requests.find((q) => q.path === '/report')?.body ?? '[]');
    assert.deepEqual(refused, [
      'k6/http: params.auth "ntlm" is not supported by loadproof (only "basic" and "digest")',
    ]);
  });
});
