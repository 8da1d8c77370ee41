/**
 * The lean HTTP/1.1 client: responses that break HTTP/1.1 (EPROTO), refused connections,
 * timeouts, aborts and close.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { RequestScope } from '../../src/engine/http-client.ts';
import { client, get, nodeServer, now, raw, runCleanups, text } from '../helpers/http1-client.ts';
import { response, sleep, until, writeSplit } from '../helpers/raw-server.ts';

afterEach(runCleanups);

describe('lean HTTP/1.1 client: errors', () => {
  for (const [what, bytes] of [
    ['a malformed status line', 'HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n'],
    ['not HTTP at all', 'SSH-2.0-OpenSSH_9.2\r\n'],
    ['a space before the colon', 'HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok'],
    [
      'both content-length and transfer-encoding',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
    ],
    ['conflicting content-lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!'],
    ['a content-length that is not a number', 'HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nok'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n'],
    [
      'chunk data longer than its size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokk\r\n0\r\n\r\n',
    ],
    ['a bare CR in a header value', 'HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n'],
    ['101 Switching Protocols never asked for', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n'],
    ['HTTP/2 version', 'HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'],
  ] as const) {
    it(`${what}: EPROTO, and the socket is dropped`, async () => {
      const s = await raw((conn, req) => conn.socket.write(req.path === '/ok' ? response('fine') : bytes));
      const c = client({ connections: 1 });
      const r = await get(c, s.url, '/bad');
      assert.equal(r.status, 0);
      assert.equal(r.error, 'EPROTO');
      await until(() => s.connections[0]?.closed === true);
      assert.equal(text(await get(c, s.url, '/ok')), 'fine');
    });
  }

  it('a head larger than http.maxHeaderSize: EPROTO', async () => {
    const s = await raw((conn) =>
      writeSplit(
        conn.socket,
        `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(20_000)}\r\nContent-Length: 0\r\n\r\n`,
        [5000, 10000, 15000],
      ),
    );
    const r = await get(client(), s.url);
    assert.equal(r.error, 'EPROTO');
  });

  it('bytes nobody asked for drop an idle socket without failing anything', async () => {
    const s = await raw((conn, req) => {
      conn.socket.write(response('ok'));
      if (req.path === '/stray') setTimeout(() => conn.socket.write('HTTP/1.1 200 OK\r\n'), 10);
    });
    const c = client({ connections: 1 });
    assert.equal(text(await get(c, s.url, '/stray')), 'ok');
    await until(() => s.connections[0]?.closed === true);
    assert.equal(text(await get(c, s.url, '/next')), 'ok');
    assert.equal(s.connections.length, 2);
  });

  it('a connection refused: ECONNREFUSED for each request', async () => {
    const s = await raw(() => {});
    const url = s.url;
    await s.close();
    const c = client({ connections: 2 });
    const rs = await Promise.all(Array.from({ length: 5 }, () => get(c, url)));
    assert.deepEqual(
      rs.map((r) => r.error),
      Array(5).fill('ECONNREFUSED'),
    );
    assert.ok(rs.every((r) => r.status === 0 && r.endAt >= r.dispatchedAt));
  });

  it('a slow response times out with ETIMEDOUT near its deadline, and its socket is closed', async () => {
    const s = await raw(() => {});
    const c = client();
    const t0 = now();
    const r = await get(c, s.url, '/slow', { timeoutMs: 100 });
    assert.equal(r.error, 'ETIMEDOUT');
    assert.equal(r.status, 0);
    const took = r.endAt - t0;
    // Never before its deadline; after it only by what a busy machine delays a timer (the server
    // never answers: without the timeout the request would wait for ever).
    assert.ok(took >= 100 && took < 2000, `took ${took} ms`);
    assert.ok(r.dispatchedAt >= t0 && r.dispatchedAt < r.endAt);
    await until(() => s.connections[0]?.closed === true);
  });

  it('a timeout of a request still queued does not harm the one being served', async () => {
    const s = await raw((conn) => setTimeout(() => conn.socket.write(response('late but fine')), 150));
    const c = client({ connections: 1 });
    const first = get(c, s.url, '/1', { timeoutMs: 1000 });
    const second = await get(c, s.url, '/2', { timeoutMs: 50 });
    assert.equal(second.error, 'ETIMEDOUT');
    assert.equal(text(await first), 'late but fine');
    assert.equal(s.requests.length, 1, 'the queued request was never sent');
  });

  it('a timed-out request pipelined behind another: the first is served, the late answer is dropped', async () => {
    const s = await raw((conn) => {
      if (conn.requests.length === 2)
        setTimeout(() => conn.socket.write(response('one') + response('two')), 120);
      else if (conn.requests.length > 2) conn.socket.write(response('three'));
    });
    const c = client({ connections: 1, pipelining: 2 });
    const a = get(c, s.url, '/1', { timeoutMs: 1000 });
    const b = get(c, s.url, '/2', { timeoutMs: 60 });
    const rb = await b;
    assert.equal(rb.error, 'ETIMEDOUT');
    assert.equal(rb.body.length, 0);
    assert.equal(text(await a), 'one');
    assert.equal(text(await get(c, s.url, '/3')), 'three', "not 'two'");
    assert.equal(s.connections.length, 1, 'the socket survived');
    // The late answer went nowhere: the timed-out response is as it was when it resolved.
    assert.deepEqual(
      [rb.status, rb.error, rb.body.length, rb.rawHeaders.length, rb.bytesIn],
      [0, 'ETIMEDOUT', 0, 0, 0],
    );
  });

  it('the timeout sweep stops when nothing is in flight', async () => {
    const { url } = await nodeServer((_req, res) => res.end('x'));
    const c = client();
    const p = get(c, url);
    assert.equal(c.sweeping, true);
    await p;
    await sleep(30);
    assert.equal(c.sweeping, false);
  });
});

describe('lean HTTP/1.1 client: stops', () => {
  it('abortAll resolves every request of the scope (written or queued) with ABORTED, and later ones at once', async () => {
    const s = await raw(() => {});
    const c = client({ connections: 1 });
    const scope = new RequestScope();
    const other = get(c, s.url, '/other', { timeoutMs: 5000 });
    const mine = [get(c, s.url, '/a', { scope }), get(c, s.url, '/b', { scope })];
    await until(() => s.requests.length === 1);
    const t0 = now();
    scope.abortAll();
    const rs = await Promise.all(mine);
    assert.deepEqual(
      rs.map((r) => r.error),
      ['ABORTED', 'ABORTED'],
    );
    assert.ok(now() - t0 < 50);
    const late = await get(c, s.url, '/late', { scope });
    assert.equal(late.error, 'ABORTED');
    await c.close();
    assert.equal((await other).error, 'ABORTED');
  });

  it('close() resolves pending requests with ABORTED and closes the sockets', async () => {
    const s = await raw(() => {});
    const c = client({ connections: 1 });
    const a = get(c, s.url, '/a');
    const b = get(c, s.url, '/b');
    await until(() => s.requests.length === 1);
    await c.close();
    assert.deepEqual(
      (await Promise.all([a, b])).map((r) => r.error),
      ['ABORTED', 'ABORTED'],
    );
    await until(() => s.connections[0]?.closed === true);
    assert.equal((await get(c, s.url)).error, 'ABORTED');
  });
});
