/**
 * `k6/experimental/webcrypto` as k6 v0.47 has it, on Node's WebCrypto: `crypto.getRandomValues`,
 * `crypto.randomUUID` and `crypto.subtle` with the operations and algorithms k6 v0.47 supports
 * (digest with SHA-1/256/384/512; generateKey, importKey and exportKey of AES and HMAC keys;
 * encrypt and decrypt with AES-CBC, AES-CTR, AES-GCM; sign and verify with HMAC). Anything else
 * (ECDSA, ECDH, RSA, deriveKey, wrapKey, ...) is rejected with a NotSupportedError naming it, as
 * k6 v0.47 rejects it. Each operation answers a promise the iteration waits for (event-loop.ts).
 */
import { webcrypto } from 'node:crypto';
import { current } from '../context.ts';
import { VuPromise } from '../event-loop.ts';

type AlgorithmArg = string | { name?: unknown };

const AES = ['AES-CBC', 'AES-CTR', 'AES-GCM', 'AES-KW'];
const HASHES = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];

/** The algorithms k6 v0.47 accepts per operation. */
const SUPPORTED: Record<string, string[]> = {
  digest: HASHES,
  generateKey: [...AES, 'HMAC'],
  importKey: [...AES, 'HMAC'],
  exportKey: [...AES, 'HMAC'],
  encrypt: ['AES-CBC', 'AES-CTR', 'AES-GCM'],
  decrypt: ['AES-CBC', 'AES-CTR', 'AES-GCM'],
  sign: ['HMAC'],
  verify: ['HMAC'],
};

function nameOf(algorithm: AlgorithmArg): string {
  const name = typeof algorithm === 'string' ? algorithm : algorithm?.name;
  if (typeof name !== 'string')
    throw new DOMException('algorithm cannot be interpreted as a string or an object', 'SyntaxError');
  return name.toUpperCase();
}

/** The algorithm as Node wants it (name upper-cased, as k6 accepts `aes-gcm`), or k6's rejection. */
function checked(operation: string, algorithm: AlgorithmArg): AlgorithmArg {
  const name = nameOf(algorithm);
  if (!SUPPORTED[operation]?.includes(name))
    throw new DOMException(
      `unsupported algorithm for ${operation}: ${name} (k6 v0.47 supports ${SUPPORTED[operation]?.join(', ')})`,
      'NotSupportedError',
    );
  return typeof algorithm === 'string' ? name : { ...algorithm, name };
}

/** Runs `op` as a promise of the calling VU; a synchronous throw becomes a rejection, as in WebCrypto. */
function answer<T>(op: () => Promise<T>): Promise<T> {
  let p: Promise<T>;
  try {
    p = op();
  } catch (e) {
    p = Promise.reject(e);
  }
  return VuPromise.of(current(), p);
}

// The CryptoKey objects below cross into user code: Node's own (opaque, as in every WebCrypto).
const subtle = Object.freeze({
  digest: (algorithm: AlgorithmArg, data: webcrypto.BufferSource) =>
    answer(() => webcrypto.subtle.digest(checked('digest', algorithm) as string, data)),
  generateKey: (algorithm: AlgorithmArg, extractable: boolean, usages: webcrypto.KeyUsage[]) =>
    answer(() =>
      webcrypto.subtle.generateKey(
        checked('generateKey', algorithm) as webcrypto.AesKeyGenParams,
        extractable,
        usages,
      ),
    ),
  importKey: (
    format: 'raw' | 'jwk' | 'spki' | 'pkcs8',
    keyData: webcrypto.BufferSource | webcrypto.JsonWebKey,
    algorithm: AlgorithmArg,
    extractable: boolean,
    usages: webcrypto.KeyUsage[],
  ) =>
    answer(() =>
      webcrypto.subtle.importKey(
        format as 'raw',
        keyData as webcrypto.BufferSource,
        checked('importKey', algorithm) as webcrypto.AesKeyAlgorithm,
        extractable,
        usages,
      ),
    ),
  exportKey: (format: 'raw' | 'jwk', key: webcrypto.CryptoKey) =>
    answer(() => {
      checked('exportKey', key?.algorithm?.name ?? '');
      return webcrypto.subtle.exportKey(format as 'raw', key);
    }),
  encrypt: (algorithm: AlgorithmArg, key: webcrypto.CryptoKey, data: webcrypto.BufferSource) =>
    answer(() =>
      webcrypto.subtle.encrypt(checked('encrypt', algorithm) as webcrypto.AesGcmParams, key, data),
    ),
  decrypt: (algorithm: AlgorithmArg, key: webcrypto.CryptoKey, data: webcrypto.BufferSource) =>
    answer(() =>
      webcrypto.subtle.decrypt(checked('decrypt', algorithm) as webcrypto.AesGcmParams, key, data),
    ),
  sign: (algorithm: AlgorithmArg, key: webcrypto.CryptoKey, data: webcrypto.BufferSource) =>
    answer(() => webcrypto.subtle.sign(checked('sign', algorithm) as string, key, data)),
  verify: (
    algorithm: AlgorithmArg,
    key: webcrypto.CryptoKey,
    signature: webcrypto.BufferSource,
    data: webcrypto.BufferSource,
  ) => answer(() => webcrypto.subtle.verify(checked('verify', algorithm) as string, key, signature, data)),
});

/** k6's `crypto` object: a plain frozen object over Node's WebCrypto (crosses into user code). */
export const crypto = Object.freeze({
  getRandomValues: <T extends ArrayBufferView | null>(array: T): T =>
    webcrypto.getRandomValues(array as unknown as Uint8Array) as unknown as T,
  randomUUID: (): string => webcrypto.randomUUID(),
  subtle,
});

export default { crypto };
