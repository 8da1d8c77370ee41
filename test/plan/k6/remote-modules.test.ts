/**
 * Remote modules of k6 scripts (`import ... from 'https://...'`), against an HTTPS server on
 * loopback whose self-signed certificate the CLI trusts through NODE_EXTRA_CA_CERTS: fetched
 * once per run (the engine's workers read the cache), kept in $LOADPROOF_MODULE_CACHE, read from
 * there alone with --offline, and a one-line error naming the URL when it cannot be had (exit 2).
 */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCertificate } from '../../helpers/certificate.ts';
import { outsideDir, readResults, runCli } from '../../helpers/cli.ts';

const MODULES: Record<string, string> = {
  '/lib/greet.js': `import { suffix } from './suffix.js';\nexport function greet(name) { return 'hello ' + name + suffix; }\n`,
  '/lib/suffix.js': `export const suffix = '!';\n`,
};

let server: Server;
let base: string;
let certFile: string;
const fetched: string[] = [];

before(async () => {
  const certificate = makeCertificate();
  certFile = certificate.certFile;
  server = createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
    const path = req.url ?? '';
    fetched.push(path);
    const body = MODULES[path];
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/javascript' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function script(dir: string, url: string): string {
  const file = join(dir, 'script.js');
  writeFileSync(
    file,
    `import { check } from 'k6';
import { greet } from '${url}';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 4 } }, thresholds: { checks: ['rate==1'] } };
export default function () {
  check(greet('k6'), { 'remote module answers': (s) => s === 'hello k6!' });
}
`,
  );
  return file;
}

async function run(file: string, cache: string, args: string[] = []) {
  const out = join(file, '..', 'out');
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: certFile, LOADPROOF_MODULE_CACHE: cache };
  const r = await runCli(['run', file, '--out', out, '--workers', '2', ...args], { env, timeoutMs: 90_000 });
  return { ...r, results: () => readResults(out) };
}

describe('remote modules of k6 scripts', () => {
  it('are fetched once per run into the cache, then read from it alone with --offline', async () => {
    const dir = outsideDir();
    const cache = join(dir, 'cache');
    const file = script(dir, `${base}/lib/greet.js`);
    fetched.length = 0;
    const first = await run(file, cache);
    // No request is sent (exit 3 by the minRequests validity rule): the checks are what counts.
    assert.equal(first.code, 3, `${first.stdout}\n${first.stderr}`);
    assert.deepEqual(first.results().flowChecks, { 'remote module answers': { passes: 4, fails: 0 } });
    // The module and the one it imports, each once: the two workers read the cache.
    assert.deepEqual(fetched.sort(), ['/lib/greet.js', '/lib/suffix.js']);
    assert.equal(readdirSync(cache).length, 2);

    fetched.length = 0;
    const offline = await run(file, cache, ['--offline']);
    assert.equal(offline.code, 3, `${offline.stdout}\n${offline.stderr}`);
    assert.deepEqual(offline.results().flowChecks, { 'remote module answers': { passes: 4, fails: 0 } });
    assert.deepEqual(fetched, []);
  });

  it('is a one-line error naming the URL with --offline and an empty cache (exit 2), nothing fetched', async () => {
    const dir = outsideDir();
    const url = `${base}/lib/greet.js`;
    fetched.length = 0;
    const r = await run(script(dir, url), join(dir, 'empty-cache'), ['--offline']);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0]?.includes(url), r.stderr);
    assert.match(r.stderr, /not in the module cache .* and --offline was given/);
    assert.deepEqual(fetched, []);
  });

  it('is a one-line error naming the URL when it cannot be fetched (exit 2)', async () => {
    const dir = outsideDir();
    const url = `${base}/lib/missing.js`;
    const r = await run(script(dir, url), join(dir, 'cache'));
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0]?.includes(`${url}: remote module could not be fetched: HTTP 404`), r.stderr);
  });
});
