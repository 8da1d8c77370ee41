/** The stand-ins answer as the examples expect, and the rewrite sends the examples' URLs to them. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { type StandIns, startStandIns } from './standins.ts';

let s: StandIns;
before(async () => {
  s = await startStandIns();
});
after(() => s.close());

const url = (source: string) => s.rewrite(source);

describe('the stand-ins of the k6 examples', () => {
  it('rewrites origins to loopback ports, keeps credentials, paths and quoted bare hosts', () => {
    const out = url(
      '"http://user:pw@httpbin.org/basic-auth/user/pw" "https://test.k6.io/" "wss://test-api.k6.io/ws/x/" "httpbin.org" "127.0.0.1:10000" "https://notimitated.example/"',
    );
    assert.match(out, /"http:\/\/user:pw@127\.0\.0\.1:\d+\/basic-auth\/user\/pw"/);
    assert.match(out, /"https:\/\/127\.0\.0\.1:\d+\/"/);
    assert.match(out, /"wss:\/\/127\.0\.0\.1:\d+\/ws\/x\/"/);
    assert.match(out, /"127\.0\.0\.1"/);
    assert.doesNotMatch(out, /127\.0\.0\.1:10000/);
    assert.match(out, /notimitated\.example/, 'a host without a stand-in is left as written');
    assert.notEqual(
      url('http://httpbin.org'),
      url('https://httpbin.org').replace('https', 'http'),
      'TLS has its own port',
    );
  });

  it("answers in go-httpbin's shapes and counts per host and path", async () => {
    s.reset();
    const get = (await (await fetch(url('http://httpbin.org/get?verb=get'))).json()) as { args: unknown };
    assert.deepEqual(get.args, { verb: ['get'] });
    const post = await fetch(url('http://httpbin.org/post'), {
      method: 'POST',
      body: 'topping=onion&topping=bacon',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.deepEqual(((await post.json()) as { form: unknown }).form, { topping: ['onion', 'bacon'] });
    const cookies = await fetch(url('http://httpbin.org/cookies'), { headers: { cookie: 'a=1; b=2' } });
    assert.deepEqual(await cookies.json(), { a: '1', b: '2' });
    const redirect = await fetch(url('http://httpbin.org/redirect/2'), { redirect: 'manual' });
    assert.equal(redirect.headers.get('location'), '/relative-redirect/1');
    assert.equal((await fetch(url('http://httpbin.org/get'), { method: 'POST' })).status, 405);
    assert.deepEqual(s.counts(), {
      'GET httpbin.org/get': 1,
      'POST httpbin.org/post': 1,
      'GET httpbin.org/cookies': 1,
      'GET httpbin.org/redirect/2': 1,
      'POST httpbin.org/get': 1,
    });
  });

  it('checks basic and digest credentials as go-httpbin does', async () => {
    const basic = await fetch(url('http://httpbin.org/basic-auth/user/passwd'), {
      headers: { authorization: `Basic ${Buffer.from('user:passwd').toString('base64')}` },
    });
    assert.deepEqual(await basic.json(), { authorized: true, user: 'user' });
    const target = url('http://httpbin.org/digest-auth/auth/user/passwd');
    const challenge = (await fetch(target)).headers.get('www-authenticate') ?? '';
    const nonce = /nonce=(\w+)/.exec(challenge)?.[1];
    const md5 = (t: string) => createHash('md5').update(t).digest('hex');
    const uri = '/digest-auth/auth/user/passwd';
    const response = md5(`${md5('user:go-httpbin:passwd')}:${nonce}:00000001:c1:auth:${md5(`GET:${uri}`)}`);
    const header = `Digest username="user", realm="go-httpbin", nonce="${nonce}", uri="${uri}", qop=auth, nc=00000001, cnonce="c1", response="${response}"`;
    const ok = await fetch(target, { headers: { authorization: header } });
    assert.equal(ok.status, 200);
  });

  it('serves test.k6.io pages and echoes WebSocket messages', async () => {
    const front = await (await fetch(url('http://test.k6.io/'))).text();
    assert.match(
      front,
      /<p class="description">Collection of simple web-pages suitable for load testing.<\/p>/,
    );
    assert.equal(await (await fetch(url('http://test.k6.io/pi.php'))).text(), '3.14');
    const ws = new WebSocket(url('ws://echo.websocket.org'));
    const echoed = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hello'));
      ws.on('message', (d) => resolve(String(d)));
      ws.on('error', reject);
    });
    ws.close();
    assert.equal(echoed, 'hello');
  });
});
