/**
 * A self-signed certificate for loopback TLS servers in tests, made with openssl for 127.0.0.1 and
 * localhost. A client trusts it by its file: loadproof (Node) through NODE_EXTRA_CA_CERTS, k6 (Go)
 * through SSL_CERT_FILE, so tests keep verifying certificates as they would on the internet.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certificate {
  /** The PEM file a client trusts. */
  certFile: string;
  key: Buffer;
  cert: Buffer;
}

export function makeCertificate(): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'loadproof-certificate-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1'].concat([
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]),
    { stdio: 'ignore' },
  );
  return { certFile, key: readFileSync(keyFile), cert: readFileSync(certFile) };
}
