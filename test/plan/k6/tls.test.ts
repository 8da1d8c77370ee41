/**
 * k6's TLS options and fields against a loopback HTTPS server (HTTP/2, TLS 1.2 and 1.3, client
 * certificates asked for, an OCSP response stapled), with certificates openssl makes here.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { ocspOf } from '../../../src/plan/k6/ocsp.ts';
import { runK6 } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'loadproof-k6-tls-'));
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A CA, a server certificate for 127.0.0.1 and a client certificate it signs, and a good OCSP response. */
function makeCertificates(): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=loadproof test CA',
  );
  for (const [name, subject] of [
    ['server', '/CN=127.0.0.1'],
    ['client', '/CN=k6-client'],
  ] as const) {
    openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    writeFileSync(
      file(`${name}.ext`),
      name === 'server' ? 'subjectAltName=IP:127.0.0.1\n' : 'extendedKeyUsage=clientAuth\n',
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  }
  const serial = openssl('x509', '-in', 'server.crt', '-noout', '-serial').toString().trim().split('=')[1];
  writeFileSync(file('index.txt'), `V\t301231235959Z\t\t${serial}\tunknown\t/CN=127.0.0.1\n`);
  openssl('ocsp', '-issuer', 'ca.crt', '-cert', 'server.crt', '-no_nonce', '-reqout', 'req.der');
  openssl(
    'ocsp',
    '-index',
    'index.txt',
    '-rsigner',
    'ca.crt',
    '-rkey',
    'ca.key',
    '-CA',
    'ca.crt',
    '-reqin',
    'req.der',
    '-respout',
    'resp.der',
    '-ndays',
    '1',
  );
}

let server: Http2SecureServer;
let url: string;
const reports: unknown[] = [];
const clients: string[] = [];

before(async () => {
  makeCertificates();
  const stapled = readFileSync(file('resp.der'));
  server = createSecureServer({
    cert: readFileSync(file('server.crt')),
    key: readFileSync(file('server.key')),
    ca: readFileSync(file('ca.crt')),
    requestCert: true,
    rejectUnauthorized: false,
    allowHTTP1: true,
  });
  server.on('OCSPRequest', (_cert, _issuer, cb) => cb(null, stapled));
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/report') reports.push(JSON.parse(Buffer.concat(chunks).toString()));
      const socket = (req.stream?.session?.socket ?? req.socket) as TLSSocket;
      const cn = socket.getPeerCertificate()?.subject?.CN;
      if (req.url === '/who') clients.push(String(cn ?? ''));
      res.end(`hello ${cn ?? 'stranger'}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const run = (domain: string) =>
  runK6({ url } as never, 'tls.js', [
    '--env',
    `CERT_DOMAIN=${domain}`,
    '--env',
    `CLIENT_CERT=${readFileSync(file('client.crt'), 'utf8')}`,
    '--env',
    `CLIENT_KEY=${readFileSync(file('client.key'), 'utf8')}`,
  ]);

describe('k6 TLS', () => {
  it('applies tlsVersion, tlsCipherSuites and tlsAuth; gives the TLS fields, OCSP and connection timings', async () => {
    const r = await run('127.0.0.1');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(clients, ['k6-client', 'k6-client'], 'the client certificate was presented');
    const { first, second } = reports.at(-1) as Record<string, Record<string, any>>;
    for (const res of [first, second]) {
      assert.equal(res?.status, 200);
      assert.equal(res?.body, 'hello k6-client');
      assert.equal(res?.proto, 'HTTP/2.0');
      assert.equal(res?.tls_version, 'tls1.2');
      assert.equal(res?.tls_cipher_suite, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
      assert.equal(res?.ocsp.status, 'good');
      assert.equal(res?.ocsp.revocation_reason, 'unspecified');
      assert.ok(res?.ocsp.produced_at > 1_600_000_000, 'produced_at in Unix seconds');
      assert.ok(res?.ocsp.next_update > res?.ocsp.this_update, 'next_update after this_update');
    }
    assert.ok(first?.connecting > 0, `a new connection is timed: connecting ${first?.connecting}`);
    assert.ok(first?.tls_handshaking > 0, `and its handshake: ${first?.tls_handshaking}`);
    assert.equal(second?.connecting, 0, 'a reused connection: no connecting');
    assert.equal(second?.tls_handshaking, 0, 'nor handshake');
  });

  it('presents no certificate to a host tlsAuth does not name', async () => {
    clients.length = 0;
    const r = await run('other.example');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(clients, ['', '']);
  });

  it('a bad option value fails the load naming it under http.tls', async () => {
    const r = await runK6({ url } as never, 'tls.js', [
      '--env',
      'CERT_DOMAIN=x',
      '--env',
      'CLIENT_CERT=nope',
      '--env',
      'CLIENT_KEY=nope',
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /http\.tls\.clientCertificates\.0\.cert/);
  });

  it('res.ocsp without a stapled response or with a broken one: unknown, as k6', () => {
    assert.deepEqual(ocspOf(undefined), {
      produced_at: 0,
      this_update: 0,
      next_update: 0,
      revoked_at: 0,
      revocation_reason: '',
      status: 'unknown',
    });
    assert.equal(ocspOf(new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x01])).status, 'unknown');
  });
});
