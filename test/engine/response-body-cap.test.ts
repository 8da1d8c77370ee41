/**
 * What one response may keep in memory: a body past `maxBodyBytes` fails its request with
 * BODY_TOO_LARGE on both paths and in every framing (chunked, Content-Length, close-delimited),
 * an endless body included; a body the request discards is read to its end and dropped, with no
 * cap; a body under the cap is kept whole.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { HttpClient } from '../../src/engine/http-client.ts';
import { cleanups, get, nodeServer, now, raw, runCleanups } from '../helpers/http1-client.ts';

afterEach(runCleanups);

const MiB = 1024 * 1024;
const PIECE = Buffer.alloc(64 * 1024, 120);

/**
 * Writes pieces until `limit` bytes went out or the peer went away; never more than `limit`, so
 * that a client that keeps everything still ends (the test is bounded even before the cap).
 */
function stream(out: ServerResponse | Socket, limit: number, done?: () => void): void {
  let sent = 0;
  const pump = () => {
    while (sent < limit && !out.destroyed) {
      sent += PIECE.length;
      if (!out.write(PIECE)) {
        out.once('drain', pump);
        return;
      }
    }
    done?.();
  };
  out.on('error', () => {});
  pump();
}

function capped(implementation: 'lean' | 'undici', maxBodyBytes: number): HttpClient {
  const c = new HttpClient({ connections: 2, pipelining: 1, now, implementation, maxBodyBytes });
  cleanups.push(() => c.close());
  return c;
}

describe('a response body past maxBodyBytes', () => {
  for (const implementation of ['lean', 'undici'] as const) {
    it(`${implementation}: an endless chunked body fails with BODY_TOO_LARGE; the next request is answered`, async () => {
      const { url } = await nodeServer((req, res) => {
        if (req.url === '/small') return res.end('fine');
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        // "Endless": 256 MiB, far past the cap, then the server gives up by itself.
        stream(res, 256 * MiB, () => res.destroy());
      });
      const c = capped(implementation, 1 * MiB);
      const r = await get(c, url, '/endless', { timeoutMs: 30_000 });
      assert.deepEqual([r.status, r.error, r.body.length], [0, 'BODY_TOO_LARGE', 0]);
      const next = await get(c, url, '/small');
      assert.deepEqual([next.status, next.body.toString()], [200, 'fine']);
    });

    it(`${implementation}: a Content-Length body one byte over the cap fails; one at the cap is kept whole`, async () => {
      const cap = 256 * 1024;
      const { url } = await nodeServer((req, res) => {
        const n = req.url === '/over' ? cap + 1 : cap;
        res.writeHead(200, { 'content-length': String(n) });
        res.end(Buffer.alloc(n, 97));
      });
      const c = capped(implementation, cap);
      const at = await get(c, url, '/at');
      assert.deepEqual([at.status, at.error, at.body.length], [200, undefined, cap]);
      const over = await get(c, url, '/over');
      assert.deepEqual([over.status, over.error], [0, 'BODY_TOO_LARGE']);
    });

    it(`${implementation}: a Content-Length past the cap fails before the body comes`, async () => {
      const { url } = await nodeServer((_req, res) => {
        // Announces 10 GiB and sends nothing of it: only the announcement can fail the request.
        res.writeHead(200, { 'content-length': String(10 * 1024 * MiB) });
        res.flushHeaders();
      });
      const c = capped(implementation, 1 * MiB);
      const r = await get(c, url, '/', { timeoutMs: 20_000 });
      assert.deepEqual([r.status, r.error], [0, 'BODY_TOO_LARGE']);
    });

    it(`${implementation}: discardBody reads a body past the cap to its end and keeps none of it`, async () => {
      const size = 8 * MiB;
      const { url } = await nodeServer((_req, res) => {
        res.writeHead(200, { 'content-length': String(size) });
        stream(res, size, () => res.end());
      });
      const c = capped(implementation, 1 * MiB);
      const r = await get(c, url, '/', { discardBody: true, timeoutMs: 30_000 });
      assert.deepEqual([r.status, r.error, r.body.length], [200, undefined, 0]);
      assert.ok(r.bytesIn >= size, `bytesIn ${r.bytesIn} counts the body read`);
    });
  }

  it('lean: a close-delimited endless body fails with BODY_TOO_LARGE', async () => {
    const server = await raw((conn) => {
      conn.socket.write('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n');
      stream(conn.socket, 256 * MiB, () => conn.socket.destroy());
    });
    const c = capped('lean', 1 * MiB);
    const r = await get(c, server.url, '/', { timeoutMs: 30_000 });
    assert.deepEqual([r.status, r.error], [0, 'BODY_TOO_LARGE']);
  });

  it('the default cap is 64 MiB', async () => {
    const { url } = await nodeServer((_req, res) => {
      res.writeHead(200);
      stream(res, 256 * MiB, () => res.destroy());
    });
    const c = new HttpClient({ connections: 1, pipelining: 1, now, implementation: 'lean' });
    cleanups.push(() => c.close());
    const r = await get(c, url, '/', { timeoutMs: 60_000 });
    assert.equal(r.error, 'BODY_TOO_LARGE');
    assert.ok(r.bytesIn > 64 * MiB && r.bytesIn < 66 * MiB, `failed after ${r.bytesIn} bytes`);
  });
});
