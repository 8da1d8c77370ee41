/**
 * A target that answers with an endless body cannot drive the run's memory up: `loadproof run`
 * as a child process against such a server fails those requests with BODY_TOO_LARGE (counted in
 * requests.errors and http_req_failed, the cap named in the log), reads a discarded body to its
 * end without keeping it, ends by itself, and its peak RSS stays bounded. `http.maxBodyBytes`
 * that is not a byte count is refused by name.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';

const MiB = 1024 * 1024;
const PIECE = Buffer.alloc(64 * 1024, 120);
/** What the server sends per response at most: "endless" for the client, bounded for the test. */
const ENDLESS_BYTES = 512 * MiB;
const DISCARDED_BYTES = 96 * MiB;

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
let target: string;
before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/two-kb') return res.end(Buffer.alloc(2048, 97));
    if (req.url === '/discarded') {
      res.writeHead(200, { 'content-length': String(DISCARDED_BYTES) });
      stream(res, DISCARDED_BYTES, () => res.end());
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    stream(res, ENDLESS_BYTES, () => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
);

/** Runs the CLI to its end and reads its peak RSS (VmHWM, all threads) while it runs. */
function runMeasured(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stderr: string; peakKb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peakKb = 0;
    child.stderr.on('data', (d) => (stderr += d));
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // gone already
      }
    }, 20);
    const kill = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(kill);
      resolve({ code, stderr, peakKb });
    });
  });
}

describe('loadproof run against a target with an endless body', () => {
  it('fails each such request with BODY_TOO_LARGE at the default cap, and its RSS stays bounded', async (t) => {
    const dir = outsideDir();
    const plan = writePlan(
      dir,
      'plan.ts',
      `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  http: { timeout: '60s' },
  scenarios: {
    main: {
      executor: 'shared-iterations', vus: 2, iterations: 2, maxDuration: '90s',
      flow: async (vu) => {
        await vu.http.get('/endless');
        await vu.http.get('/discarded', { discardBody: true });
      },
    },
  },
});
`,
    );
    const out = join(dir, 'out');
    const r = await runMeasured(['run', plan, '-w', '1', '--out', out], dir);
    assert.equal(r.code, 3, r.stderr);
    const res = readResults(out);
    assert.equal(res.requests.total, 4);
    assert.deepEqual(res.requests.errors, { BODY_TOO_LARGE: 2 });
    assert.deepEqual(res.requests.byStatus, { '200': 2 });
    assert.equal(res.requests.failed, 2);
    assert.match(r.stderr, /http\.maxBodyBytes \(67108864 bytes/);
    // Without the cap the two endless bodies alone are 1 GiB kept. With it: the process's own
    // ~170 MB, two bodies up to 64 MiB each in flight, and the copies of reading them.
    const peakMb = r.peakKb / 1024;
    assert.ok(peakMb > 0, 'the peak RSS was read');
    t.diagnostic(`peak RSS ${peakMb.toFixed(0)} MB`);
    assert.ok(peakMb < 480, `peak RSS ${peakMb.toFixed(0)} MB`);
  });

  it("a plan's http.maxBodyBytes is the cap its requests get, named in the log", async () => {
    const dir = outsideDir();
    const plan = writePlan(
      dir,
      'plan.ts',
      `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  http: { maxBodyBytes: 1024 },
  scenarios: { main: { executor: 'shared-iterations', vus: 1, iterations: 3, flow: async (vu) => { await vu.http.get('/two-kb'); } } },
});
`,
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', plan, '-w', '1', '--out', out], { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    assert.deepEqual(readResults(out).requests.errors, { BODY_TOO_LARGE: 3 });
    assert.match(r.stderr, /http\.maxBodyBytes \(1024 bytes/);
    assert.equal(r.stderr.match(/http\.maxBodyBytes \(/g)?.length, 1, 'said once');
  });

  it('refuses an http.maxBodyBytes that is not a byte count, by name (exit 2)', async () => {
    const dir = outsideDir();
    const plan = writePlan(
      dir,
      'plan.ts',
      `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  http: { maxBodyBytes: '64MB' },
  scenarios: { main: { executor: 'shared-iterations', vus: 1, iterations: 1, flow: async (vu) => { await vu.http.get('/'); } } },
});
`,
    );
    const r = await runCli(['run', plan, '--out', join(dir, 'out')], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /http\.maxBodyBytes: expected an integer number of bytes/);
  });
});
