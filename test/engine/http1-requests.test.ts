/**
 * The lean HTTP/1.1 client: what it sends (request line, host, headers, content-length, bytesOut),
 * and the requests it refuses with EINVALIDREQUEST before sending anything.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { RawRequest } from '../../src/engine/http-client.ts';
import { client, get, raw, runCleanups } from '../helpers/http1-client.ts';
import { response, sleep } from '../helpers/raw-server.ts';

afterEach(runCleanups);

describe('lean HTTP/1.1 client: what it sends', () => {
  it('request line, host (origin host:port), user headers, content-length; bytesOut is what the server got', async () => {
    const s = await raw((conn) => conn.socket.write(response('ok')));
    const c = client();
    const r = await c.send({
      origin: s.url,
      method: 'PUT',
      path: '/items/1?x=%20y',
      headers: { 'x-one': '1', authorization: 'Bearer t' },
      body: 'abc',
      timeoutMs: 5000,
    });
    assert.equal(r.status, 200);
    assert.equal(
      s.requests[0]?.head,
      `PUT /items/1?x=%20y HTTP/1.1\r\nhost: 127.0.0.1:${s.port}\r\nx-one: 1\r\nauthorization: Bearer t\r\ncontent-length: 3\r\n\r\n`,
    );
    assert.equal(s.requests[0]?.body.toString(), 'abc');
    assert.equal(r.bytesOut, s.bytesReceived());
    assert.equal(r.bytesIn, Buffer.byteLength(response('ok')));
  });

  it('a number or boolean header value is sent as text; OPTIONS * is a valid target', async () => {
    const s = await raw((conn) => conn.socket.write(response('ok')));
    const c = client();
    const headers = { 'x-n': 5, 'x-b': true } as unknown as Record<string, string>;
    assert.equal(
      (await c.send({ origin: s.url, method: 'GET', path: '/', headers, timeoutMs: 5000 })).status,
      200,
    );
    assert.equal(s.requests[0]?.headers['x-n'], '5');
    assert.equal(s.requests[0]?.headers['x-b'], 'true');
    const o = await c.send({ origin: s.url, method: 'OPTIONS', path: '*', headers: {}, timeoutMs: 5000 });
    assert.equal(o.status, 200);
    assert.match(s.requests[1]?.head ?? '', /^OPTIONS \* HTTP\/1\.1\r\n/);
  });

  it('an origin that is not a URL: EINVALIDREQUEST, no exception', async () => {
    const r = await client().send({
      origin: 'http://a b',
      method: 'GET',
      path: '/',
      headers: {},
      timeoutMs: 5000,
    });
    assert.deepEqual([r.status, r.error], [0, 'EINVALIDREQUEST']);
  });

  it('a host header of the user replaces the origin host', async () => {
    const s = await raw((conn) => conn.socket.write(response('ok')));
    const c = client();
    await c.send({
      origin: s.url,
      method: 'GET',
      path: '/',
      headers: { host: 'example.test' },
      timeoutMs: 5000,
    });
    assert.equal(s.requests[0]?.headers.host, 'example.test');
    assert.equal((s.requests[0]?.head.match(/host:/gi) ?? []).length, 1);
  });

  for (const [what, req] of [
    ['CR/LF in a header value', { headers: { 'x-a': 'b\r\nx-injected: 1' } }],
    ['LF alone in a header value', { headers: { 'x-a': 'b\nx-injected: 1' } }],
    ['NUL in a header value', { headers: { 'x-a': 'b\u0000' } }],
    ['a header name that is not a token', { headers: { 'x a': 'b' } }],
    ['a header name with CR/LF', { headers: { 'x\r\ny': 'b' } }],
    ['a method that is not a token', { method: 'GET /x HTTP/1.1\r\n' }],
    ['a path with a space', { path: '/a b' }],
    ['a path with CR/LF', { path: '/a\r\nx-injected: 1' }],
    ['transfer-encoding', { headers: { 'transfer-encoding': 'chunked' } }],
    ['upgrade', { headers: { upgrade: 'websocket' } }],
    ['a connection header other than close/keep-alive', { headers: { connection: 'upgrade' } }],
    [
      'a content-length that differs from the body',
      { method: 'POST', body: 'abc', headers: { 'content-length': '2' } },
    ],
    ['a path that does not start with a slash', { path: 'x/y' }],
    ['CONNECT', { method: 'CONNECT', path: '/' }],
    ['a body that is neither a string nor bytes', { method: 'POST', body: { a: 1 } as unknown as string }],
    ['a header value that is an object', { headers: { 'x-a': {} as unknown as string } }],
  ] as const) {
    it(`refuses ${what} with EINVALIDREQUEST and sends nothing`, async () => {
      const s = await raw((conn) => conn.socket.write(response('ok')));
      const c = client();
      const r = await c.send({
        origin: s.url,
        method: 'GET',
        path: '/',
        headers: {},
        timeoutMs: 5000,
        ...(req as Partial<RawRequest>),
      });
      assert.equal(r.status, 0);
      assert.equal(r.error, 'EINVALIDREQUEST');
      await sleep(20);
      assert.equal(s.connections.length, 0, 'no connection was even opened');
      // The client still works.
      assert.equal((await get(c, s.url)).status, 200);
      assert.equal(s.requests.length, 1);
    });
  }

  it('a matching content-length of the user is sent once', async () => {
    const s = await raw((conn) => conn.socket.write(response('ok')));
    const c = client();
    const r = await c.send({
      origin: s.url,
      method: 'POST',
      path: '/',
      headers: { 'content-length': '3' },
      body: 'abc',
      timeoutMs: 5000,
    });
    assert.equal(r.status, 200);
    assert.equal((s.requests[0]?.head.match(/content-length/gi) ?? []).length, 1);
  });
});
