/** k6/experimental/webcrypto: k6 v0.47's subset of WebCrypto on Node's, through `loadproof run` and convert. */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { FIXTURES, runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());

describe('k6 webcrypto', () => {
  it('digests, AES round trips, HMAC sign and verify, random values; ECDSA refused as k6 v0.47 does', async () => {
    const r = await runK6(server, 'webcrypto.js');
    assert.equal(r.code, 0, r.stderr);
    const sha = createHash('sha256').update('loadproof').digest('hex');
    const hmac = createHmac('sha256', 'secret').update('message').digest('hex');
    assert.equal(server.count('GET', `/users/sha256-${sha}`), 2);
    assert.equal(server.count('GET', `/users/hmac-${hmac}`), 2);
    const checks = r.results().flowChecks;
    const names = [
      'randomUUID is a v4 UUID',
      'getRandomValues fills the array',
      'HMAC verifies its signature',
      'ECDSA is refused as in k6 v0.47',
      ...['AES-GCM', 'AES-CBC', 'AES-CTR'].flatMap((a) => [
        `${a} decrypts what it encrypted`,
        `${a} exports a 32-byte key`,
      ]),
    ];
    for (const name of names) assert.deepEqual(checks[name], { passes: 2, fails: 0 }, name);
  });

  it('convert names crypto as having no plan equivalent', async () => {
    const r = await runCli(['convert', `${FIXTURES}webcrypto.js`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /k6\.unsupported\("crypto from 'k6\/experimental\/webcrypto'"\)/);
  });
});
