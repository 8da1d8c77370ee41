/**
 * The lean HTTP/1.1 client: the life of its sockets (close, keep-alive, resets, retries of
 * pipelined requests, the connections limit, connect time, IPv6).
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { cleanups, client, get, nodeServer, raw, runCleanups, text } from '../helpers/http1-client.ts';
import { response, sleep, until } from '../helpers/raw-server.ts';

afterEach(runCleanups);

describe('lean HTTP/1.1 client: connection life', () => {
  it('Connection: close from the server: the response is complete, the next request goes on a new socket', async () => {
    const s = await raw((conn, req) => {
      conn.socket.write(response(`r${req.path}`, 200, 'Connection: close\r\n'));
      conn.socket.end();
    });
    const c = client({ connections: 1 });
    const a = await get(c, s.url, '/1');
    const b = await get(c, s.url, '/2');
    assert.deepEqual([text(a), text(b)], ['r/1', 'r/2']);
    assert.equal(a.error ?? b.error, undefined);
    assert.equal(s.connections.length, 2);
  });

  it('Connection: close while requests are pipelined behind: those go again on a new socket, and succeed', async () => {
    const s = await raw((conn, req) => {
      if (conn.id === 0) {
        if (conn.requests.length === 3) {
          conn.socket.write(response(`r${conn.requests[0]?.path}`, 200, 'Connection: close\r\n'));
          conn.socket.end();
        }
      } else conn.socket.write(response(`r${req.path}`));
    });
    const c = client({ connections: 1, pipelining: 3 });
    const rs = await Promise.all(['/1', '/2', '/3'].map((p) => get(c, s.url, p)));
    assert.deepEqual(
      rs.map((r) => r.error ?? text(r)),
      ['r/1', 'r/2', 'r/3'],
    );
    assert.deepEqual(
      s.requests.map((r) => r.path),
      ['/1', '/2', '/3', '/2', '/3'],
    );
  });

  it('HTTP/1.0 without keep-alive retires the socket; with keep-alive it is reused', async () => {
    const s = await raw((conn, req) => {
      if (req.path === '/10') conn.socket.write('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else conn.socket.write('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nka');
    });
    const c = client({ connections: 1 });
    assert.equal(text(await get(c, s.url, '/10')), 'ok');
    assert.equal(text(await get(c, s.url, '/ka')), 'ka');
    assert.equal(text(await get(c, s.url, '/ka')), 'ka');
    assert.equal(s.connections.length, 2);
  });

  it('an idle socket closed by the server is not used again, and the next request does not fail', async () => {
    const s = await raw((conn) => {
      conn.socket.write(response('ok'));
      setTimeout(() => conn.socket.end(), 20);
    });
    const c = client({ connections: 1 });
    assert.equal(text(await get(c, s.url)), 'ok');
    await until(() => s.connections[0]?.closed === true);
    await sleep(20);
    const r = await get(c, s.url);
    assert.equal(r.error, undefined);
    assert.equal(text(r), 'ok');
    assert.equal(s.connections.length, 2);
    assert.equal(s.requests.length, 2);
  });

  it('Connection and Keep-Alive headers are read as lists, in any case', async () => {
    const s = await raw((conn, req) => {
      const extra: Record<string, string> = {
        '/list-close': 'Connection: Keep-Alive, CLOSE\r\n',
        '/not-close': 'Connection: closed, x-close\r\nKeep-Alive: max=100, timeoutx=1\r\n',
        '/short': 'Keep-Alive: max=100, TIMEOUT=1\r\n',
      };
      conn.socket.write(response('ok', 200, extra[req.path] ?? ''));
    });
    const c = client({ connections: 1 });
    await get(c, s.url, '/list-close');
    assert.equal(s.connections.length, 1);
    await get(c, s.url, '/not-close');
    assert.equal(s.connections.length, 2, 'the first socket was retired');
    await get(c, s.url, '/short');
    assert.equal(s.connections.length, 2, "'closed', 'x-close' and 'timeoutx' are not close or timeout");
    await get(c, s.url, '/after');
    assert.equal(s.connections.length, 3, 'timeout=1 (less the margin) retired it');
  });

  it('Keep-Alive: timeout=1 means the socket is not kept; timeout=5 means it is', async () => {
    const s = await raw((conn, req) =>
      conn.socket.write(response('ok', 200, `Keep-Alive: timeout=${req.path === '/short' ? 1 : 5}\r\n`)),
    );
    const c = client({ connections: 1 });
    await get(c, s.url, '/short');
    await get(c, s.url, '/long');
    await get(c, s.url, '/long');
    assert.equal(s.connections.length, 2);
  });

  it('a reset in the middle of a body: ECONNRESET', async () => {
    const s = await raw((conn) => {
      conn.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
      setTimeout(() => conn.socket.resetAndDestroy(), 20);
    });
    const r = await get(client(), s.url);
    assert.equal(r.status, 0);
    assert.equal(r.error, 'ECONNRESET');
    assert.equal(r.body.length, 0);
  });

  it('a clean close in the middle of a body or a head: ECONNRESET, not a short response', async () => {
    const s = await raw((conn, req) => {
      if (req.path === '/body') conn.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
      else if (req.path === '/chunk')
        conn.socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab');
      else conn.socket.end('HTTP/1.1 200 OK\r\nContent-Le');
    });
    const c = client();
    for (const p of ['/body', '/chunk', '/head']) {
      const r = await get(c, s.url, p);
      assert.equal(r.error, 'ECONNRESET', p);
    }
  });

  it('a socket that dies after the request was written: ECONNRESET, and a POST is not sent again', async () => {
    const s = await raw((conn) => conn.socket.destroy());
    const c = client();
    const r = await c.send({
      origin: s.url,
      method: 'POST',
      path: '/once',
      headers: {},
      body: 'x',
      timeoutMs: 5000,
    });
    assert.equal(r.error, 'ECONNRESET');
    const g = await get(c, s.url, '/get');
    assert.equal(g.error, 'ECONNRESET', 'the request whose answer was awaited is not retried either');
    await sleep(30);
    assert.deepEqual(
      s.requests.map((q) => q.path),
      ['/once', '/get'],
    );
  });

  it('pipelined requests behind one whose socket is reset: the first fails, the others go again', async () => {
    const s = await raw((conn, req) => {
      if (conn.id === 0) {
        if (conn.requests.length === 3) conn.socket.resetAndDestroy();
      } else conn.socket.write(response(`r${req.path}`));
    });
    const c = client({ connections: 1, pipelining: 3 });
    const rs = await Promise.all(['/1', '/2', '/3'].map((p) => get(c, s.url, p)));
    assert.deepEqual(
      rs.map((r) => r.error ?? text(r)),
      ['ECONNRESET', 'r/2', 'r/3'],
    );
  });

  it('a POST is never pipelined: it waits for the socket to be free, and GETs queue behind it', async () => {
    const events: string[] = [];
    const s = await raw((conn, req) => {
      events.push(`got ${req.method} ${req.path}`);
      setTimeout(() => {
        events.push(`answer ${req.path}`);
        conn.socket.write(response(req.path));
      }, 30);
    });
    const c = client({ connections: 1, pipelining: 4 });
    const rs = await Promise.all([
      get(c, s.url, '/g1'),
      c.send({ origin: s.url, method: 'POST', path: '/p', headers: {}, body: 'x', timeoutMs: 5000 }),
      get(c, s.url, '/g2'),
    ]);
    assert.deepEqual(rs.map(text), ['/g1', '/p', '/g2']);
    assert.deepEqual(events.slice(0, 3), ['got GET /g1', 'answer /g1', 'got POST /p']);
  });

  it('at most `connections` sockets; requests queue and are served in order', async () => {
    let open = 0;
    let most = 0;
    const order: string[] = [];
    const { url, server } = await nodeServer((req, res) => {
      order.push(req.url as string);
      setTimeout(() => res.end(req.url), 15);
    });
    server.on('connection', (sock) => {
      open++;
      most = Math.max(most, open);
      sock.on('close', () => open--);
    });
    let connects = 0;
    const c = client({ connections: 2, onConnect: () => connects++ });
    const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => get(c, url, `/${i}`)));
    assert.deepEqual(
      rs.map(text),
      Array.from({ length: 10 }, (_, i) => `/${i}`),
    );
    assert.equal(most, 2);
    assert.equal(connects, 2, 'onConnect once per new connection');
    assert.deepEqual(
      order,
      Array.from({ length: 10 }, (_, i) => `/${i}`),
      'FIFO',
    );
  });

  it('onConnect gets the connect time in ms', async () => {
    const { url } = await nodeServer((_req, res) => res.end('x'));
    const times: number[] = [];
    const c = client({ onConnect: (ms) => times.push(ms) });
    await get(c, url);
    assert.equal(times.length, 1);
    assert.ok((times[0] as number) >= 0 && (times[0] as number) < 1000, String(times[0]));
  });

  it('an IPv6 origin', async (t) => {
    const server = createHttpServer((_req, res) => res.end('six'));
    const ok = await new Promise<boolean>((r) => {
      server.once('error', () => r(false));
      server.listen(0, '::1', () => r(true));
    });
    if (!ok) return t.skip('no IPv6 loopback');
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const r = await get(client(), `http://[::1]:${(server.address() as AddressInfo).port}`);
    assert.equal(text(r), 'six');
  });
});
