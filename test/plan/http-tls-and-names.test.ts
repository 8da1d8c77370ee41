/** The plan's http.names and http.tls: what is accepted, and each mistake named where it is. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlanValidationError } from '../../src/errors.ts';
import { validatePlan } from '../../src/plan/validate.ts';

const plan = (http: unknown) => ({
  target: 'https://example.test',
  http,
  scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 1, flow: async () => {} } },
});

function problems(http: unknown): string[] {
  try {
    validatePlan(plan(http));
    return [];
  } catch (e) {
    if (!(e instanceof PlanValidationError)) throw e;
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe('plan http.names and http.tls', () => {
  it('takes names path or url, and a full tls block', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n';
    const p = validatePlan(
      plan({
        names: 'url',
        tls: {
          minVersion: 'tls1.2',
          maxVersion: 'tls1.3',
          cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
          clientCertificates: [{ domains: ['*.example.test'], cert: pem, key: pem, password: 'p' }],
        },
      }),
    );
    assert.equal(p.http.names, 'url');
    assert.equal(p.http.tls?.minVersion, 'tls1.2');
    assert.deepEqual(p.http.tls?.clientCertificates?.[0]?.domains, ['*.example.test']);
  });

  it('names each mistake', () => {
    assert.match(problems({ names: 'host' }).join('\n'), /http\.names: expected 'path' or 'url'/);
    const found = problems({
      tls: {
        minVersion: 'tls1.3',
        maxVersion: 'tls1.2',
        cipherSuites: ['RC4-MD5'],
        clientCertificates: [{ domains: [], cert: 'x', key: 'y' }],
        ciphers: 'x',
      },
    }).join('\n');
    assert.match(found, /http\.tls: minVersion tls1\.3 is above maxVersion tls1\.2/);
    assert.match(found, /http\.tls\.cipherSuites: unknown cipher suite "RC4-MD5"/);
    assert.match(found, /http\.tls\.clientCertificates\.0\.domains/);
    assert.match(found, /http\.tls\.ciphers: unknown key/);
    assert.match(
      problems({ tls: { minVersion: 'ssl3' } }).join('\n'),
      /http\.tls\.minVersion: expected one of tls1\.0/,
    );
  });
});
