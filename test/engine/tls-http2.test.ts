/**
 * TLS and HTTP/2 through the real engine, against loopback servers with a self-signed certificate
 * made for the test: verification on by default (every request fails with the TLS error code),
 * off with http.insecureSkipTLSVerify or --insecure; HTTP/2 spoken when the server offers it by
 * ALPN, never with http.version '1.1', required with http.version 2 (EHTTP2 from an HTTP/1.1-only
 * server); responses and the `proto` tag say which.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseRunFlags } from '../../src/cli/run-command.ts';
import { definePlan } from '../../src/plan/load.ts';
import type { Overrides } from '../../src/plan/overrides.ts';
import type { PlanInput } from '../../src/plan/types.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { runPlan } from '../../src/run/run.ts';
import { makeCertificate } from '../helpers/certificate.ts';
import { outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';

let h2Server: Http2SecureServer;
let h1Server: ReturnType<typeof createHttpsServer>;
let h2Url = '';
let h1Url = '';
const seenVersions: string[] = [];

before(async () => {
  const { key, cert } = makeCertificate();
  const tls = { key, cert };
  h2Server = createSecureServer({ ...tls, allowHTTP1: true }, (req, res) => {
    seenVersions.push(req.httpVersion);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ httpVersion: req.httpVersion }));
  });
  h1Server = createHttpsServer(tls, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => h2Server.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => h1Server.listen(0, '127.0.0.1', r));
  h2Url = `https://127.0.0.1:${(h2Server.address() as AddressInfo).port}`;
  h1Url = `https://127.0.0.1:${(h1Server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((r) => (h2Server ? h2Server.close(() => r()) : r()));
  h1Server?.closeAllConnections();
  await new Promise<void>((r) => (h1Server ? h1Server.close(() => r()) : r()));
});

const ITERATIONS = 4;

async function run(target: string, http: PlanInput['http'] = {}, overrides: Overrides = {}) {
  const protos: string[] = [];
  const plan = validatePlan(
    definePlan({
      target,
      http,
      thresholds: { 'http_reqs{proto:HTTP/2.0}': ['count>=0'] },
      scenarios: {
        s: {
          executor: 'per-vu-iterations',
          vus: 2,
          iterations: ITERATIONS / 2,
          flow: async (vu) => {
            const res = await vu.http.get('/hello');
            protos.push(res.status === 200 ? res.proto : String(res.error));
          },
        },
      },
    }),
  );
  const r = await runPlan({ plan, workers: 1, overrides });
  const failed = r.metrics.http_req_failed;
  const h2 = r.thresholds.find((t) => t.metric === 'http_reqs{proto:HTTP/2.0}');
  return {
    protos,
    errors: r.requests.errors,
    failedRate: failed?.type === 'rate' ? failed.rate : Number.NaN,
    h2Requests: h2?.actual,
  };
}

describe('TLS verification and HTTP/2', () => {
  it('verifies certificates by default: every request to a self-signed server fails with a TLS code', async () => {
    const r = await run(h2Url);
    assert.deepEqual(r.errors, { DEPTH_ZERO_SELF_SIGNED_CERT: ITERATIONS });
    assert.equal(r.failedRate, 1, 'counted in http_req_failed');
  });

  it('http.insecureSkipTLSVerify accepts it; a server that offers HTTP/2 is spoken to in HTTP/2', async () => {
    seenVersions.length = 0;
    const r = await run(h2Url, { insecureSkipTLSVerify: true });
    assert.deepEqual(r.errors, {});
    assert.equal(r.failedRate, 0);
    assert.deepEqual(r.protos, Array(ITERATIONS).fill('HTTP/2.0'));
    assert.deepEqual(seenVersions, Array(ITERATIONS).fill('2.0'));
    assert.equal(r.h2Requests, ITERATIONS, 'the proto tag filters a threshold');
  });

  it('--insecure does the same (the flag wins over a plan that says false)', async () => {
    const flags = parseRunFlags({ insecure: true });
    assert.equal(flags.overrides.insecure, true);
    const r = await run(h2Url, { insecureSkipTLSVerify: false }, flags.overrides);
    assert.deepEqual(r.errors, {});
    assert.deepEqual(r.protos, Array(ITERATIONS).fill('HTTP/2.0'));
  });

  it("loadproof run --insecure (in --help) reaches the worker threads, with the plan's http.version", async () => {
    const dir = outsideDir();
    try {
      const plan = writePlan(
        dir,
        'plan.ts',
        `export default {
          target: '${h2Url}',
          http: { version: 2 },
          thresholds: { 'http_reqs{proto:HTTP/2.0}': ['count==${ITERATIONS}'], http_req_failed: ['rate==0'] },
          scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: ${ITERATIONS}, flow: async (vu) => { await vu.http.get('/hello'); } } },
        };\n`,
      );
      const verified = await runCli(['run', plan, '--workers', '2', '--out', join(dir, 'a'), '-q'], {
        cwd: dir,
      });
      assert.equal(verified.code, 3, verified.stderr);
      assert.deepEqual(readResults(join(dir, 'a')).requests.errors, {
        DEPTH_ZERO_SELF_SIGNED_CERT: ITERATIONS,
      });
      const insecure = await runCli(
        ['run', plan, '--insecure', '--workers', '2', '--out', join(dir, 'b'), '-q'],
        {
          cwd: dir,
        },
      );
      assert.equal(insecure.code, 0, insecure.stderr);
      const r = readResults(join(dir, 'b'));
      assert.deepEqual(r.requests.errors, {});
      assert.deepEqual(
        r.thresholds.map((t) => [t.metric, t.actual, t.level]),
        [
          ['http_reqs{proto:HTTP/2.0}', ITERATIONS, 'PASS'],
          ['http_req_failed', 0, 'PASS'],
        ],
      );
      assert.match((await runCli(['run', '--help'])).stdout, /--insecure\s+accept any TLS certificate/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("http.version '1.1' never offers HTTP/2", async () => {
    seenVersions.length = 0;
    const r = await run(h2Url, { insecureSkipTLSVerify: true, version: '1.1' });
    assert.deepEqual(r.protos, Array(ITERATIONS).fill('HTTP/1.1'));
    assert.deepEqual(seenVersions, Array(ITERATIONS).fill('1.1'));
    assert.equal(r.h2Requests, 0);
  });

  it('a server that speaks HTTP/1.1 only: HTTP/1.1 by default, EHTTP2 when http.version 2 requires HTTP/2', async () => {
    const plain = await run(h1Url, { insecureSkipTLSVerify: true });
    assert.deepEqual(plain.protos, Array(ITERATIONS).fill('HTTP/1.1'));
    const required = await run(h1Url, { insecureSkipTLSVerify: true, version: 2 });
    assert.deepEqual(required.errors, { EHTTP2: ITERATIONS });
    assert.equal(required.failedRate, 1);
    const ok = await run(h2Url, { insecureSkipTLSVerify: true, version: 2 });
    assert.deepEqual(ok.protos, Array(ITERATIONS).fill('HTTP/2.0'));
  });

  it('with http.version 2, a request to an http: origin fails with EHTTP2 without being sent', async () => {
    let error: string | undefined;
    const plan = validatePlan(
      definePlan({
        target: h2Url,
        http: { version: 2, insecureSkipTLSVerify: true },
        thresholds: {},
        flow: async (vu) => {
          error = (await vu.http.get('http://127.0.0.1:1/plain')).error;
        },
      }),
    );
    const r = await runPlan({ plan, workers: 1 });
    assert.equal(error, 'EHTTP2');
    assert.deepEqual(r.requests.errors, { EHTTP2: 1 });
  });

  it('http.version is 1.1 or 2, and 2 needs an https target; insecureSkipTLSVerify is a boolean', () => {
    const plan = (http: object, target = h2Url) =>
      validatePlan(definePlan({ target, http: http as PlanInput['http'], flow: async () => {} }));
    assert.throws(() => plan({ version: 3 }), /http\.version: expected '1\.1' or 2, got number 3/);
    assert.throws(
      () => plan({ version: 2 }, 'http://127.0.0.1:1'),
      /http\.version: HTTP\/2 is negotiated over TLS/,
    );
    assert.throws(
      () => plan({ insecureSkipTLSVerify: 'yes' }),
      /http\.insecureSkipTLSVerify: expected true or false/,
    );
    assert.equal(plan({ version: 2 }).http.version, '2');
    assert.equal(plan({}).http.version, undefined);
  });
});
