/**
 * The lean HTTP/1.1 client (src/engine/http1/) through the HttpClient facade against node:http:
 * status, body, headers, timings, keep-alive reuse, bodies, and data kept intact across packets.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { client, get, headerPairs, nodeServer, runCleanups, text } from '../helpers/http1-client.ts';

afterEach(runCleanups);

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
