/**
 * The lean HTTP/1.1 client (src/engine/http1.ts) through the HttpClient facade, against real
 * loopback servers: node:http, and raw TCP servers scripted byte by byte.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import {
  envImplementation,
  HttpClient,
  type RawRequest,
  type RawResponse,
  RequestScope,
} from '../../src/engine/http-client.ts';
import { type RawServer, response, sleep, startRawServer, until, writeSplit } from '../helpers/raw-server.ts';

const now = () => performance.now();
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function client(o: { connections?: number; pipelining?: number; onConnect?: (ms: number) => void } = {}) {
  const c = new HttpClient({
    connections: o.connections ?? 4,
    pipelining: o.pipelining ?? 1,
    now,
    ...(o.onConnect ? { onConnect: o.onConnect } : {}),
    implementation: 'lean',
  });
  cleanups.push(() => c.close());
  return c;
}

async function raw(handler: Parameters<typeof startRawServer>[0]): Promise<RawServer> {
  const s = await startRawServer(handler);
  cleanups.push(() => s.close());
  return s;
}

async function nodeServer(
  handler: Parameters<typeof createHttpServer>[1],
): Promise<{ url: string; server: Server }> {
  const server = createHttpServer(handler);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function get(c: HttpClient, url: string, path = '/', extra: Partial<RawRequest> = {}): Promise<RawResponse> {
  return c.send({ origin: url, method: 'GET', path, headers: {}, timeoutMs: 5000, ...extra });
}

const text = (r: RawResponse) => r.body.toString('utf8');
const headerPairs = (r: RawResponse) => {
  const out: [string, string][] = [];
  for (let i = 0; i < r.rawHeaders.length; i += 2)
    out.push([String(r.rawHeaders[i]), String(r.rawHeaders[i + 1])]);
  return out;
};

describe('lean HTTP/1.1 client: against node:http', () => {
  it('status, body, headers as alternating Buffers (repeated names kept apart), ordered timings, keep-alive reuse', async () => {
    let sockets = 0;
    const { url, server } = await nodeServer((req, res) => {
      res.setHeader('X-Multi', ['one', 'two']);
      res.setHeader('Content-Type', 'text/plain');
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end(`you asked ${req.url}`);
    });
    server.on('connection', () => sockets++);
    const c = client();
    const r = await get(c, url, '/a?b=1');
    assert.equal(r.status, 200);
    assert.equal(r.error, undefined);
    assert.equal(text(r), 'you asked /a?b=1');
    assert.ok(r.rawHeaders.every((h) => Buffer.isBuffer(h)));
    const pairs = headerPairs(r);
    assert.deepEqual(
      pairs.filter(([k]) => k === 'X-Multi'),
      [
        ['X-Multi', 'one'],
        ['X-Multi', 'two'],
      ],
    );
    assert.deepEqual(
      pairs.find(([k]) => k === 'Content-Type'),
      ['Content-Type', 'text/plain'],
    );
    assert.ok(r.dispatchedAt <= r.firstByteAt && r.firstByteAt <= r.endAt, JSON.stringify(r));
    const r2 = await get(c, url, '/missing');
    assert.equal(r2.status, 404);
    assert.equal(text(r2), 'you asked /missing');
    assert.equal(sockets, 1, 'the second request reused the socket');
  });

  it('POST bodies: a string (UTF-8 length), a Uint8Array, none (content-length: 0)', async () => {
    const { url } = await nodeServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d) => chunks.push(d));
      req.on('end', () =>
        res.end(
          JSON.stringify({ len: req.headers['content-length'], body: Buffer.concat(chunks).toString() }),
        ),
      );
    });
    const c = client();
    const post = (body?: string | Uint8Array) =>
      c.send({
        origin: url,
        method: 'POST',
        path: '/',
        headers: {},
        timeoutMs: 5000,
        ...(body ? { body } : {}),
      });
    assert.deepEqual(JSON.parse(text(await post('héllo wörld'))), { len: '13', body: 'héllo wörld' });
    assert.deepEqual(JSON.parse(text(await post(new TextEncoder().encode('bytes!')))), {
      len: '6',
      body: 'bytes!',
    });
    assert.deepEqual(JSON.parse(text(await post())), { len: '0', body: '' });
  });

  it('a large body over many packets, and many requests over a few sockets', async () => {
    const big = Buffer.alloc(3_000_000, 'x');
    big.write('start', 0);
    big.write('end', big.length - 3);
    const { url } = await nodeServer((req, res) => res.end(req.url === '/big' ? big : 'small'));
    const c = client({ connections: 3 });
    const r = await get(c, url, '/big');
    assert.equal(r.body.length, big.length);
    assert.ok(r.body.equals(big));
    assert.ok(r.bytesIn > big.length);
    const all = await Promise.all(Array.from({ length: 300 }, () => get(c, url, '/s')));
    assert.ok(all.every((x) => x.status === 200 && text(x) === 'small'));
  });
});

describe('lean HTTP/1.1 client: kept data', () => {
  it('bodies and headers stay intact after later packets (reads share one buffer)', async () => {
    const { url } = await nodeServer((req, res) => {
      res.setHeader('x-path', req.url as string);
      res.end(`body of ${req.url} `.repeat(Number((req.url as string).slice(1)) + 1));
    });
    const c = client({ connections: 8 });
    const rs = await Promise.all(Array.from({ length: 200 }, (_, i) => get(c, url, `/${i}`)));
    // Another batch, so that every read buffer has been written over.
    await Promise.all(Array.from({ length: 200 }, () => get(c, url, '/0')));
    rs.forEach((r, i) => {
      assert.equal(text(r), `body of /${i} `.repeat(i + 1));
      assert.deepEqual(
        headerPairs(r).find(([k]) => k === 'x-path'),
        ['x-path', `/${i}`],
      );
    });
  });
});

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

describe('lean HTTP/1.1 client: response framing', () => {
  const chunked =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Before: 1\r\n\r\n' +
    '5;name=value;flag\r\nhello\r\n' +
    '1 ; spaced-ext="quoted;still"\r\n,\r\n' +
    'A\r\n 012345678\r\n' +
    '0;last=1\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n';
  const chunkedBody = 'hello, 012345678';

  it('chunked: extensions, upper-case hex, trailers; the socket is reused after the trailers', async () => {
    const s = await raw((conn, req) =>
      conn.socket.write(req.path === '/next' ? response('after') : chunked, 'latin1'),
    );
    const c = client({ connections: 1 });
    const r = await get(c, s.url);
    assert.equal(r.status, 200);
    assert.equal(text(r), chunkedBody);
    assert.deepEqual(
      headerPairs(r).map(([k]) => k),
      ['Transfer-Encoding', 'X-Before'],
      'trailers are not headers',
    );
    assert.equal(r.bytesIn, Buffer.byteLength(chunked));
    const next = await get(c, s.url, '/next');
    assert.equal(text(next), 'after');
    assert.equal(s.connections.length, 1);
  });

  it('a response split at every byte boundary (chunked and content-length) parses the same', async () => {
    const fixed = 'HTTP/1.1 201 Created\r\nContent-Length: 11\r\nX-A: b\r\n\r\nhello world';
    const script = [
      ...Array.from({ length: chunked.length - 1 }, (_, k) => ({ data: chunked, cut: k + 1 })),
      ...Array.from({ length: fixed.length - 1 }, (_, k) => ({ data: fixed, cut: k + 1 })),
    ];
    const s = await raw((conn, req) => {
      const step = script[Number(req.path.slice(1))];
      if (step) void writeSplit(conn.socket, step.data, [step.cut], 1);
    });
    const c = client({ connections: 1 });
    for (let i = 0; i < script.length; i++) {
      const r = await get(c, s.url, `/${i}`);
      const chunkedStep = (script[i] as { data: string }).data === chunked;
      assert.equal(r.error, undefined, `split at ${(script[i] as { cut: number }).cut}`);
      assert.equal(r.status, chunkedStep ? 200 : 201);
      assert.equal(text(r), chunkedStep ? chunkedBody : 'hello world', `step ${i}`);
    }
    assert.equal(s.connections.length, 1, 'one socket throughout');
  });

  it('a response dripped one byte per packet', async () => {
    const s = await raw((conn) => {
      const data = Buffer.from(chunked, 'latin1');
      void writeSplit(
        conn.socket,
        data,
        Array.from({ length: data.length }, (_, i) => i),
        0,
      );
    });
    const c = client();
    const r = await get(c, s.url);
    assert.equal(text(r), chunkedBody);
  });

  it('pipelined responses that arrive in one packet go to their requests in order', async () => {
    const s = await raw((conn) => {
      if (conn.requests.length === 3)
        conn.socket.write(
          conn.requests
            .map((q, i) =>
              i === 1
                ? `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${q.path.length.toString(16)}\r\n${q.path}\r\n0\r\n\r\n`
                : response(q.path),
            )
            .join(''),
        );
    });
    const c = client({ connections: 1, pipelining: 3 });
    const rs = await Promise.all(['/first', '/second', '/third'].map((p) => get(c, s.url, p)));
    assert.deepEqual(rs.map(text), ['/first', '/second', '/third']);
    assert.equal(s.connections.length, 1);
  });

  it('interim 100 Continue and 103 Early Hints are skipped; headers are those of the final response', async () => {
    const s = await raw((conn) =>
      writeSplit(
        conn.socket,
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n' +
          'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Final: yes\r\n\r\nok',
        [25],
      ),
    );
    const c = client();
    const r = await c.send({
      origin: s.url,
      method: 'POST',
      path: '/',
      headers: { expect: '100-continue' },
      body: 'data',
      timeoutMs: 5000,
    });
    assert.equal(r.status, 200);
    assert.equal(text(r), 'ok');
    assert.deepEqual(headerPairs(r), [
      ['Content-Length', '2'],
      ['X-Final', 'yes'],
    ]);
  });

  it('no body for HEAD, 204 and 304 even with a content-length; the next response on the socket is intact', async () => {
    const s = await raw((conn, req) => {
      const answers: Record<string, string> = {
        '/head': 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n',
        '/204': 'HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n',
        '/304': 'HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\nETag: "x"\r\n\r\n',
        '/304-both': 'HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n',
      };
      conn.socket.write(answers[req.path] ?? response(`after ${req.path}`));
    });
    const c = client({ connections: 1 });
    const h = await c.send({ origin: s.url, method: 'HEAD', path: '/head', headers: {}, timeoutMs: 5000 });
    assert.equal(h.status, 200);
    assert.equal(h.body.length, 0);
    assert.equal(text(await get(c, s.url, '/a')), 'after /a');
    const n = await get(c, s.url, '/204');
    assert.equal(n.status, 204);
    assert.equal(n.body.length, 0);
    assert.equal(text(await get(c, s.url, '/b')), 'after /b');
    const m = await get(c, s.url, '/304');
    assert.equal(m.status, 304);
    assert.equal(m.body.length, 0);
    assert.equal(text(await get(c, s.url, '/c')), 'after /c');
    const both = await get(c, s.url, '/304-both');
    assert.deepEqual([both.status, both.error, both.body.length], [304, undefined, 0]);
    assert.equal(text(await get(c, s.url, '/d')), 'after /d');
    assert.equal(s.connections.length, 1);
  });

  it('HEAD pipelined between GETs: its content-length is not read as a body', async () => {
    const s = await raw((conn) => {
      if (conn.requests.length === 3)
        conn.socket.write(
          `${response('one')}HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n${response('three')}`,
        );
    });
    const c = client({ connections: 1, pipelining: 3 });
    const rs = await Promise.all([
      get(c, s.url, '/1'),
      c.send({ origin: s.url, method: 'HEAD', path: '/2', headers: {}, timeoutMs: 5000 }),
      get(c, s.url, '/3'),
    ]);
    assert.deepEqual(rs.map(text), ['one', '', 'three']);
  });

  it('a body delimited by the close: read to the end, then a new socket', async () => {
    const s = await raw((conn, req) => {
      if (req.path === '/eof') {
        void writeSplit(conn.socket, 'HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nuntil the', [30]).then(() =>
          conn.socket.end(' end'),
        );
      } else conn.socket.write(response('fresh'));
    });
    const c = client({ connections: 1 });
    const r = await get(c, s.url, '/eof');
    assert.equal(r.status, 200);
    assert.equal(text(r), 'until the end');
    assert.equal(text(await get(c, s.url, '/next')), 'fresh');
    assert.equal(s.connections.length, 2);
  });

  it('a transfer coding other than chunked last: read until the close', async () => {
    const s = await raw((conn) =>
      conn.socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\n3\r\nabc\r\n0\r\n\r\n'),
    );
    const r = await get(client(), s.url);
    assert.equal(text(r), '3\r\nabc\r\n0\r\n\r\n');
  });

  it('framing header names and values in any case; obs-fold joined with a space; bare LF line ends', async () => {
    const s = await raw((conn, req) => {
      if (req.path === '/case')
        conn.socket.write(
          'HTTP/1.1 200 OK\r\ntRANSFER-eNCODING: ChUnKeD\r\nX-Folded: first\r\n   second\r\n\r\n2\r\nok\r\n0\r\n\r\n',
        );
      else conn.socket.write('HTTP/1.1 200 OK\nCONTENT-LENGTH: 4\nX-Lf: yes\n\nbare');
    });
    const c = client({ connections: 1 });
    const r = await get(c, s.url, '/case');
    assert.equal(text(r), 'ok');
    assert.deepEqual(
      headerPairs(r).find(([k]) => k === 'X-Folded'),
      ['X-Folded', 'first second'],
    );
    const lf = await get(c, s.url, '/lf');
    assert.equal(text(lf), 'bare');
    assert.deepEqual(headerPairs(lf), [
      ['CONTENT-LENGTH', '4'],
      ['X-Lf', 'yes'],
    ]);
  });

  it('a status line without a reason phrase; duplicate equal content-lengths', async () => {
    const s = await raw((conn) =>
      conn.socket.write('HTTP/1.1 202\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok'),
    );
    const r = await get(client(), s.url);
    assert.equal(r.status, 202);
    assert.equal(text(r), 'ok');
  });
});

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
    assert.ok(took >= 100 && took < 300, `took ${took} ms`);
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

/**
 * A port whose accept queue is full and never drained: a connection attempt to it hangs (the SYN
 * is dropped), which is what a connect timeout is for.
 */
async function blackhole(): Promise<string> {
  const py = spawn('python3', [
    '-c',
    `import socket, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)
port = s.getsockname()[1]
fill = []
for i in range(3):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', port))
    except BlockingIOError: pass
    fill.append(c)
time.sleep(0.2)
print(port, flush=True)
time.sleep(60)`,
  ]);
  cleanups.push(() => py.kill());
  const port = await new Promise<string>((resolve, reject) => {
    py.once('error', reject);
    py.stdout.once('data', (d) => resolve(String(d).trim()));
  });
  return `http://127.0.0.1:${port}`;
}

describe('the facade: both paths end with the same codes', () => {
  for (const implementation of ['lean', 'undici'] as const) {
    it(`${implementation}: a connection that does not complete in connectTimeoutMs: ETIMEDOUT`, async () => {
      // python3 is on every machine this project runs on; without it this test fails, it does not skip.
      const url = await blackhole().catch((e: Error) =>
        assert.fail(`python3 holds the port with a full accept queue: ${e.message}`),
      );
      const c = new HttpClient({ connections: 1, pipelining: 1, now, implementation, connectTimeoutMs: 200 });
      cleanups.push(() => c.close());
      const t0 = now();
      const r = await get(c, url, '/', { timeoutMs: 5000 });
      assert.deepEqual([r.status, r.error], [0, 'ETIMEDOUT']);
      const took = now() - t0;
      // undici's own timers tick about once a second; the lean client's sweep every 10 ms.
      assert.ok(took >= 190 && took < (implementation === 'lean' ? 500 : 2500), `took ${took} ms`);
    });
  }

  for (const implementation of ['lean', 'undici'] as const) {
    it(`${implementation}: a response, EINVALIDREQUEST, ECONNREFUSED, ETIMEDOUT, ABORTED`, async () => {
      const { url } = await nodeServer((req, res) => {
        if (req.url !== '/never') res.end('hi');
      });
      const c = new HttpClient({ connections: 2, pipelining: 1, now, implementation });
      cleanups.push(() => c.close());
      const ok = await get(c, url);
      assert.equal(text(ok), 'hi');
      assert.ok(ok.bytesIn > 2 && ok.bytesOut > 10);
      assert.equal((await get(c, url, '/', { headers: { 'x-a': 'b\r\nc: d' } })).error, 'EINVALIDREQUEST');
      const closed = await raw(() => {});
      await closed.close();
      assert.equal((await get(c, closed.url)).error, 'ECONNREFUSED');
      assert.equal((await get(c, url, '/never', { timeoutMs: 50 })).error, 'ETIMEDOUT');
      const scope = new RequestScope();
      const p = get(c, url, '/never', { scope });
      await sleep(20);
      scope.abortAll();
      assert.equal((await p).error, 'ABORTED');
    });
  }

  it('LOADPROOF_HTTP_CLIENT picks the path; anything but lean or undici is refused', () => {
    const saved = process.env.LOADPROOF_HTTP_CLIENT;
    try {
      delete process.env.LOADPROOF_HTTP_CLIENT;
      assert.equal(envImplementation(), 'lean');
      process.env.LOADPROOF_HTTP_CLIENT = 'undici';
      assert.equal(envImplementation(), 'undici');
      process.env.LOADPROOF_HTTP_CLIENT = 'lean';
      assert.equal(envImplementation(), 'lean');
      process.env.LOADPROOF_HTTP_CLIENT = 'fast';
      assert.throws(() => envImplementation(), /LOADPROOF_HTTP_CLIENT must be "lean" or "undici"/);
      assert.throws(() => new HttpClient({ connections: 1, pipelining: 1, now }), /LOADPROOF_HTTP_CLIENT/);
    } finally {
      if (saved === undefined) delete process.env.LOADPROOF_HTTP_CLIENT;
      else process.env.LOADPROOF_HTTP_CLIENT = saved;
    }
  });
});
