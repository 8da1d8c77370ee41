/**
 * A k6 script that wants no body (`responseType: 'none'`, or `discardResponseBodies`) has its
 * responses read and dropped: a body past the 64 MiB cap is then answered (200), where a kept one
 * fails with BODY_TOO_LARGE.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outsideDir, readResults, runCli } from '../../helpers/cli.ts';

const BODY_BYTES = 80 * 1024 * 1024;
const PIECE = Buffer.alloc(64 * 1024, 120);

let server: Server;
let target = '';
before(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': String(BODY_BYTES) });
    let sent = 0;
    const pump = () => {
      while (sent < BODY_BYTES && !res.destroyed) {
        sent += PIECE.length;
        if (!res.write(PIECE)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('error', () => {});
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

async function run(options: string, params: string) {
  const dir = outsideDir();
  const script = join(dir, 'script.js');
  writeFileSync(
    script,
    `import http from 'k6/http';
export const options = { vus: 1, iterations: 1, ${options} };
export default function () { http.get('${target}/big', ${params}); }
`,
  );
  const out = join(dir, 'out');
  const r = await runCli(['run', script, '-w', '1', '--out', out], { cwd: dir, timeoutMs: 120_000 });
  return { ...r, results: readResults(out) };
}

describe('k6 responses without a body wanted', () => {
  it("responseType 'none': an 80 MiB body is read and dropped, the request answered", async () => {
    const r = await run('', "{ responseType: 'none' }");
    assert.deepEqual([r.results.requests.byStatus, r.results.requests.errors], [{ '200': 1 }, {}]);
  });

  it('discardResponseBodies: the same', async () => {
    const r = await run('discardResponseBodies: true', '{}');
    assert.deepEqual([r.results.requests.byStatus, r.results.requests.errors], [{ '200': 1 }, {}]);
  });

  it('a body kept: BODY_TOO_LARGE past 64 MiB', async () => {
    const r = await run('', '{}');
    assert.deepEqual(r.results.requests.errors, { BODY_TOO_LARGE: 1 });
  });
});
