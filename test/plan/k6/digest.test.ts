/** k6's `auth: 'digest'` against a loopback server that checks RFC 7616's MD5 answer itself. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { digestAuthorization, digestChallengeOf } from '../../../src/plan/k6/digest-auth.ts';
import { runK6 } from './harness.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const REALM = 'k6 test';

/** The fields of an `Authorization: Digest ...` header. */
function fieldsOf(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.slice('Digest '.length).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g))
    out[m[1] as string] = m[2] ?? m[3] ?? '';
  return out;
}

let server: Server;
let url: string;
const seen: { path: string; authorized: boolean }[] = [];

before(async () => {
  const nonces = new Set<string>();
  server = createServer((req, res) => {
    const auth = req.headers.authorization;
    const path = req.url ?? '/';
    let authorized = false;
    if (auth?.startsWith('Digest ')) {
      const f = fieldsOf(auth);
      const ha1 = md5(`${f.username}:${REALM}:s@cret`);
      const ha2 = md5(`${req.method}:${f.uri}`);
      const expected = md5(`${ha1}:${f.nonce}:${f.nc}:${f.cnonce}:${f.qop}:${ha2}`);
      authorized =
        f.username === 'alice' &&
        f.uri === path &&
        f.qop === 'auth' &&
        f.opaque === 'op4que' &&
        nonces.has(f.nonce as string) &&
        f.response === expected;
    }
    seen.push({ path, authorized });
    if (authorized) {
      res.end('hello alice');
      return;
    }
    const nonce = randomBytes(8).toString('hex');
    nonces.add(nonce);
    res.writeHead(401, {
      'www-authenticate': `Digest realm="${REALM}", qop="auth,auth-int", nonce="${nonce}", opaque="op4que"`,
    });
    res.end('who are you?');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

describe("k6 auth: 'digest'", () => {
  it('answers a challenge as RFC 7616 says (MD5, qop=auth) and as RFC 2069 without qop', () => {
    const c = digestChallengeOf('Basic realm="x", Digest realm="r", nonce="n1", qop="auth", opaque="o"');
    assert.deepEqual(c, { realm: 'r', nonce: 'n1', opaque: 'o', algorithm: 'MD5', qopAuth: true });
    const header = digestAuthorization(c as NonNullable<typeof c>, 'u', 'p', 'GET', '/a?b', 'c0');
    const f = fieldsOf(header);
    const ha1 = md5('u:r:p');
    const ha2 = md5('GET:/a?b');
    assert.equal(f.response, md5(`${ha1}:n1:00000001:c0:auth:${ha2}`));
    assert.equal(f.nc, '00000001');
    const old = digestChallengeOf('Digest realm="r", nonce="n2"');
    const f2 = fieldsOf(digestAuthorization(old as NonNullable<typeof old>, 'u', 'p', 'GET', '/', 'c'));
    assert.equal(f2.response, md5(`${ha1}:n2:${md5('GET:/')}`));
    assert.equal(f2.qop, undefined);
    assert.equal(digestChallengeOf('Basic realm="x"'), undefined);
    assert.throws(() => digestChallengeOf('Digest nonce="n", algorithm=SHA-512-256'), /only MD5/);
  });

  it('two requests per call, the first expected to be the 401; wrong credentials keep the 401', async () => {
    const r = await runK6({ url } as never, 'digest.js');
    assert.equal(r.code, 0, r.stderr);
    const results = r.results();
    for (const name of [
      'digest credentials are accepted',
      'wrong credentials get the 401',
      'ntlm is refused by name',
    ])
      assert.deepEqual(results.flowChecks[name], { passes: 2, fails: 0 }, name);
    assert.deepEqual(
      seen.map((s) => `${s.path} ${s.authorized}`),
      Array(2)
        .fill([
          '/protected?x=1 false',
          '/protected?x=1 true',
          '/protected false',
          '/protected false',
          '/protected?b=1 false',
          '/protected?b=1 true',
        ])
        .flat(),
      'as k6: the first request goes without credentials, the answer with them',
    );
    const requests = Object.values(results.scenarios)[0]?.requests;
    assert.equal(requests?.total, 12);
    // The challenge is expected; the last answer with wrong credentials is a failure.
    const failed = results.metrics.http_req_failed;
    assert.deepEqual(failed?.type === 'rate' && [failed.passes, failed.fails], [2, 10]);
    assert.ok(!seen.some((s) => s.path.includes('ntlm')), 'ntlm never sent');
  });
});
