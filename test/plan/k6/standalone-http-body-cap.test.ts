/**
 * setup() and teardown() of a k6 script send through Node's fetch, outside the engine: their
 * responses keep at most the default 64 MiB of body too (BODY_TOO_LARGE past it, an endless body
 * included), and `discardBody` reads a body without keeping it.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { standaloneHttp } from '../../../src/plan/k6/standalone-http.ts';

const MiB = 1024 * 1024;
const PIECE = Buffer.alloc(64 * 1024, 120);

function stream(res: ServerResponse, limit: number, done: () => void): void {
  let sent = 0;
  const pump = () => {
    while (sent < limit && !res.destroyed) {
      sent += PIECE.length;
      if (!res.write(PIECE)) {
        res.once('drain', pump);
        return;
      }
    }
    done();
  };
  res.on('error', () => {});
  pump();
}

let server: Server;
let url = '';
before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/finite') {
      res.writeHead(200, { 'content-length': String(8 * MiB) });
      stream(res, 8 * MiB, () => res.end());
      return;
    }
    res.writeHead(200);
    // "Endless" for the client: 256 MiB, then the server gives up by itself.
    stream(res, 256 * MiB, () => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

describe('the HTTP client of setup() and teardown()', () => {
  it('fails an endless body with BODY_TOO_LARGE at 64 MiB', async () => {
    const r = await standaloneHttp.request('GET', `${url}/endless`, { timeout: '60s' });
    assert.deepEqual([r.status, r.error, r.text], [0, 'BODY_TOO_LARGE', '']);
  });

  it('reads a discarded body to its end and keeps none of it', async () => {
    const r = await standaloneHttp.request('GET', `${url}/finite`, { discardBody: true });
    assert.deepEqual([r.status, r.error, r.text], [200, undefined, '']);
  });

  it('keeps a body under the cap whole', async () => {
    const r = await standaloneHttp.request('GET', `${url}/finite`);
    assert.equal(r.text.length, 8 * MiB);
  });
});
