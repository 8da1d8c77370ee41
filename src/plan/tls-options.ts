/**
 * The plan's `http.tls`: the TLS versions offered, the TLS 1.0-1.2 cipher suites offered (by
 * their IANA names, as k6 and Go name them; TLS 1.3's suites are always offered, as in Go) and
 * the client certificates presented to the hosts each names. Checked here; the engine's HTTPS
 * connections apply them (engine/http-client.ts).
 */
import type { TlsConfig, TlsVersionName } from './types.ts';
import { scalarName } from './value-name.ts';

export const TLS_VERSIONS: Record<TlsVersionName, string> = {
  'tls1.0': 'TLSv1',
  'tls1.1': 'TLSv1.1',
  'tls1.2': 'TLSv1.2',
  'tls1.3': 'TLSv1.3',
};

/** The cipher suites a plan may name (k6's list, from Go), each with OpenSSL's name for it. */
export const TLS_CIPHER_SUITES: Record<string, string> = {
  TLS_RSA_WITH_RC4_128_SHA: 'RC4-SHA',
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: 'ECDHE-ECDSA-RC4-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: 'ECDHE-RSA-RC4-SHA',
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: 'ECDHE-RSA-DES-CBC3-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_AES_128_GCM_SHA256: 'TLS_AES_128_GCM_SHA256',
  TLS_AES_256_GCM_SHA384: 'TLS_AES_256_GCM_SHA384',
  TLS_CHACHA20_POLY1305_SHA256: 'TLS_CHACHA20_POLY1305_SHA256',
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const KEYS = ['minVersion', 'maxVersion', 'cipherSuites', 'clientCertificates'];
const CERT_KEYS = ['domains', 'cert', 'key', 'password'];

function versionOf(v: unknown, path: string, add: (path: string, message: string) => void) {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && Object.hasOwn(TLS_VERSIONS, v)) return v as TlsVersionName;
  add(path, `expected one of ${Object.keys(TLS_VERSIONS).join(', ')}, got ${scalarName(v)}`);
  return undefined;
}

type ClientCertificate = NonNullable<TlsConfig['clientCertificates']>[number];

function certificateOf(
  c: unknown,
  p: string,
  add: (path: string, message: string) => void,
): ClientCertificate | undefined {
  if (!isObject(c)) {
    add(p, 'expected { domains, cert, key, password? }');
    return undefined;
  }
  for (const k of Object.keys(c))
    if (!CERT_KEYS.includes(k)) add(`${p}.${k}`, `unknown key; expected ${CERT_KEYS.join(', ')}`);
  const domains = c.domains;
  if (
    !Array.isArray(domains) ||
    domains.length === 0 ||
    !domains.every((d) => typeof d === 'string' && d !== '')
  ) {
    add(`${p}.domains`, 'expected a list of host names (`*.example.com` for its subdomains)');
    return undefined;
  }
  for (const k of ['cert', 'key'] as const)
    if (typeof c[k] !== 'string' || !(c[k] as string).includes('-----BEGIN')) {
      add(`${p}.${k}`, 'expected a PEM text ("-----BEGIN ...")');
      return undefined;
    }
  if (c.password !== undefined && typeof c.password !== 'string') {
    add(`${p}.password`, "expected the key's password as text");
    return undefined;
  }
  return {
    domains: domains as string[],
    cert: c.cert as string,
    key: c.key as string,
    ...(c.password !== undefined ? { password: c.password as string } : {}),
  };
}

function certificatesOf(v: unknown, add: (path: string, message: string) => void) {
  const at = 'http.tls.clientCertificates';
  if (!Array.isArray(v)) {
    add(at, 'expected a list of { domains, cert, key, password? }');
    return [];
  }
  const out: NonNullable<TlsConfig['clientCertificates']> = [];
  v.forEach((c, i) => {
    const cert = certificateOf(c, `${at}.${i}`, add);
    if (cert) out.push(cert);
  });
  return out;
}

/** `http.tls`, checked; problems go to `add(path, message)`. */
export function tlsOptionsOf(
  v: unknown,
  add: (path: string, message: string) => void,
): TlsConfig | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) {
    add('http.tls', `expected { ${KEYS.join('?, ')}? }`);
    return undefined;
  }
  for (const k of Object.keys(v))
    if (!KEYS.includes(k)) add(`http.tls.${k}`, `unknown key; expected ${KEYS.join(', ')}`);
  const out: TlsConfig = {};
  const min = versionOf(v.minVersion, 'http.tls.minVersion', add);
  const max = versionOf(v.maxVersion, 'http.tls.maxVersion', add);
  if (min) out.minVersion = min;
  if (max) out.maxVersion = max;
  if (min && max && min > max) add('http.tls', `minVersion ${min} is above maxVersion ${max}`);
  if (v.cipherSuites !== undefined) {
    const suites = v.cipherSuites;
    if (!Array.isArray(suites) || suites.length === 0)
      add('http.tls.cipherSuites', 'expected a list of cipher suite names');
    else {
      const unknown = suites.filter((s) => typeof s !== 'string' || !Object.hasOwn(TLS_CIPHER_SUITES, s));
      if (unknown.length)
        add(
          'http.tls.cipherSuites',
          `unknown cipher suite ${unknown.map((u) => (typeof u === 'string' ? JSON.stringify(u) : scalarName(u))).join(', ')}; expected names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`,
        );
      else out.cipherSuites = suites as string[];
    }
  }
  if (v.clientCertificates !== undefined) out.clientCertificates = certificatesOf(v.clientCertificates, add);
  return out;
}
