/**
 * The plan's HTTP keys that shape the protocol rather than the load: `http.redirects`,
 * `http.insecureSkipTLSVerify`, `http.version`, `http.maxBodyBytes` and `http.tls` (and
 * `http.names`, how requests are named in metrics), checked and normalized. Problems are reported
 * through `add(path, message)`, as every other plan key's.
 */
import { constants } from 'node:buffer';
import { tlsOptionsOf } from './tls-options.ts';
import type { Plan } from './types.ts';
import { scalarName } from './value-name.ts';

export const HTTP_PROTOCOL_KEYS = [
  'redirects',
  'insecureSkipTLSVerify',
  'version',
  'maxBodyBytes',
  'names',
  'tls',
] as const;

/** The most body bytes one response keeps in memory unless the plan says otherwise: 64 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The most redirects a request may be told to follow. */
const MAX_REDIRECTS = 100;

type ProtocolOptions = Pick<
  Plan['http'],
  'redirects' | 'insecureSkipTLSVerify' | 'version' | 'maxBodyBytes' | 'names' | 'tls'
>;

export function httpProtocolOptions(
  http: Record<string, unknown>,
  target: string,
  add: (path: string, message: string) => void,
): ProtocolOptions {
  const out: ProtocolOptions = {};
  const { redirects, insecureSkipTLSVerify, version, maxBodyBytes, names } = http;
  const tls = tlsOptionsOf(http.tls, add);
  if (tls !== undefined) out.tls = tls;
  if (names !== undefined) {
    if (names === 'path' || names === 'url') out.names = names;
    else add('http.names', `expected 'path' or 'url', got ${scalarName(names)}`);
  }
  if (redirects !== undefined) {
    if (
      typeof redirects === 'number' &&
      Number.isInteger(redirects) &&
      redirects >= 0 &&
      redirects <= MAX_REDIRECTS
    )
      out.redirects = redirects;
    else
      add(
        'http.redirects',
        `expected an integer from 0 (keep the 3xx) to ${MAX_REDIRECTS}, got ${scalarName(redirects)}`,
      );
  }
  if (insecureSkipTLSVerify !== undefined) {
    if (typeof insecureSkipTLSVerify === 'boolean') out.insecureSkipTLSVerify = insecureSkipTLSVerify;
    else
      add('http.insecureSkipTLSVerify', `expected true or false, got ${scalarName(insecureSkipTLSVerify)}`);
  }
  if (version !== undefined) {
    if (version === '1.1') out.version = '1.1';
    else if (version === 2 || version === '2') {
      out.version = '2';
      if (target.startsWith('http:'))
        add('http.version', `HTTP/2 is negotiated over TLS: version 2 needs an https: target, got ${target}`);
    } else add('http.version', `expected '1.1' or 2, got ${scalarName(version)}`);
  }
  if (maxBodyBytes !== undefined) {
    if (
      typeof maxBodyBytes === 'number' &&
      Number.isInteger(maxBodyBytes) &&
      maxBodyBytes >= 0 &&
      maxBodyBytes <= constants.MAX_LENGTH
    )
      out.maxBodyBytes = maxBodyBytes;
    else
      add(
        'http.maxBodyBytes',
        `expected an integer number of bytes from 0 to ${constants.MAX_LENGTH}, got ${scalarName(maxBodyBytes)}`,
      );
  }
  return out;
}
