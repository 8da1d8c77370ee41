/**
 * What a plan's `http.tls` makes of an origin's TLS connections (Node's tls.connect options), and
 * what a new connection tells once open: how long the TCP connect and the TLS handshake took, the
 * version and cipher suite agreed (in k6's names), and the OCSP response the server stapled.
 */
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { TLS_CIPHER_SUITES, TLS_VERSIONS } from '../plan/tls-options.ts';
import type { TlsConfig } from '../plan/types.ts';

/** What one TLS connection agreed; every response on it carries it. */
export interface TlsInfo {
  /** `tls1.2`, `tls1.3`, as k6 names them. */
  version: string;
  /** The IANA name, as k6 (Go) names it: `TLS_AES_128_GCM_SHA256`. */
  cipherSuite: string;
  /** The OCSP response the server stapled (DER), when it stapled one. */
  ocspResponse?: Buffer;
}

/** A new connection's setup times, given to the first request sent on it. */
export interface ConnectionSetup {
  connectingMs: number;
  tlsHandshakingMs: number;
}

/** Whether `host` is one of `domains` (`*.example.com`: any one-label name under it). */
export function domainMatches(host: string, domains: readonly string[]): boolean {
  const h = host.toLowerCase();
  return domains.some((d) => {
    const domain = d.toLowerCase();
    if (!domain.startsWith('*.')) return h === domain;
    const rest = h.slice(h.indexOf('.') + 1);
    return h.indexOf('.') > 0 && rest === domain.slice(2);
  });
}

/** tls.connect's options, with the one its types leave out: ask the server to staple OCSP. */
export type TlsConnectOptions = ConnectionOptions & { requestOCSP?: boolean };

/** The tls.connect options of an origin's connections under the plan's `http.tls`. */
export function tlsConnectOptions(tls: TlsConfig | undefined, hostname: string): TlsConnectOptions {
  const out: TlsConnectOptions = { requestOCSP: true };
  if (tls === undefined) return out;
  if (tls.minVersion) out.minVersion = TLS_VERSIONS[tls.minVersion] as ConnectionOptions['minVersion'];
  if (tls.maxVersion) out.maxVersion = TLS_VERSIONS[tls.maxVersion] as ConnectionOptions['maxVersion'];
  if (tls.cipherSuites) out.ciphers = tls.cipherSuites.map((s) => TLS_CIPHER_SUITES[s]).join(':');
  const cert = tls.clientCertificates?.find((c) => domainMatches(hostname, c.domains));
  if (cert) {
    out.cert = cert.cert;
    out.key = cert.key;
    if (cert.password !== undefined) out.passphrase = cert.password;
  }
  return out;
}

const VERSIONS: Record<string, string> = {
  TLSv1: 'tls1.0',
  'TLSv1.1': 'tls1.1',
  'TLSv1.2': 'tls1.2',
  'TLSv1.3': 'tls1.3',
};

/** The version and suite an open TLS socket agreed, in k6's names. */
export function tlsInfoOf(socket: TLSSocket, ocspResponse: Buffer | undefined): TlsInfo {
  const protocol = socket.getProtocol() ?? '';
  const cipher = socket.getCipher();
  // Go names the ECDHE ChaCha20 suites without the hash IANA gives them.
  const suite = (cipher?.standardName ?? cipher?.name ?? '').replace(
    /(_WITH_CHACHA20_POLY1305)_SHA256$/,
    '$1',
  );
  return {
    version: VERSIONS[protocol] ?? protocol,
    cipherSuite: suite,
    ...(ocspResponse ? { ocspResponse } : {}),
  };
}
