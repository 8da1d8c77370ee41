/**
 * The HttpClient facade: the lean path and the undici path end with the same codes (connect
 * timeout, invalid request, refused, timeout, abort), and LOADPROOF_HTTP_CLIENT picks the path.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { afterEach, describe, it } from 'node:test';
import { envImplementation, HttpClient, RequestScope } from '../../src/engine/http-client.ts';
import { cleanups, get, nodeServer, now, raw, runCleanups, text } from '../helpers/http1-client.ts';
import { sleep } from '../helpers/raw-server.ts';

afterEach(runCleanups);

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

describe("the facade: the server's end of the connection", () => {
  for (const implementation of ['lean', 'undici'] as const) {
    it(`${implementation}: a response carries the remote address and port it came from`, async () => {
      const { url } = await nodeServer((_req, res) => res.end('hi'));
      const c = new HttpClient({ connections: 1, pipelining: 1, now, implementation });
      cleanups.push(() => c.close());
      const r = await get(c, url, '/');
      assert.equal(text(r), 'hi');
      const port = Number(new URL(url).port);
      assert.deepEqual([r.remoteAddress, r.remotePort], ['127.0.0.1', port]);
    });
  }
});
