/** `k6/crypto`: hashes, HMAC and random bytes over node:crypto. */
import { createHmac, createHash as nodeHash, randomBytes as nodeRandomBytes } from 'node:crypto';
import { arrayBufferOf } from '../bytes.ts';

type Input = string | ArrayBuffer;
type OutputEncoding = 'hex' | 'base64' | 'base64url' | 'base64rawurl' | 'binary';

const ALGORITHMS: Record<string, string> = {
  md4: 'md4',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
  ripemd160: 'ripemd160',
};

function algorithm(name: string): string {
  const a = ALGORITHMS[name];
  if (!a) throw new Error(`k6/crypto: unknown hash algorithm "${name}"`);
  return a;
}

function data(input: Input): Buffer {
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(new Uint8Array(input));
}

function encode(digest: Buffer, encoding: OutputEncoding): string | ArrayBuffer {
  if (encoding === 'binary') return arrayBufferOf(digest);
  if (encoding === 'base64rawurl' || encoding === 'base64url') return digest.toString('base64url');
  return digest.toString(encoding);
}

class Hasher {
  constructor(private readonly h: ReturnType<typeof nodeHash>) {}
  update(input: Input): void {
    this.h.update(data(input));
  }
  digest(encoding: OutputEncoding): string | ArrayBuffer {
    return encode(this.h.digest(), encoding);
  }
}

export const createHash = (name: string) => new Hasher(nodeHash(algorithm(name)));
export const createHMAC = (name: string, secret: Input) =>
  new Hasher(createHmac(algorithm(name), data(secret)) as unknown as ReturnType<typeof nodeHash>);
export const hmac = (name: string, secret: Input, input: Input, encoding: OutputEncoding) =>
  encode(createHmac(algorithm(name), data(secret)).update(data(input)).digest(), encoding);
const hash = (name: string) => (input: Input, encoding: OutputEncoding) =>
  encode(nodeHash(algorithm(name)).update(data(input)).digest(), encoding);
export const md4 = hash('md4');
export const md5 = hash('md5');
export const sha1 = hash('sha1');
export const sha256 = hash('sha256');
export const sha384 = hash('sha384');
export const sha512 = hash('sha512');
export const sha512_224 = hash('sha512_224');
export const sha512_256 = hash('sha512_256');
export const ripemd160 = hash('ripemd160');
export function randomBytes(n: number): ArrayBuffer {
  return arrayBufferOf(nodeRandomBytes(n));
}

export default {
  createHash,
  createHMAC,
  hmac,
  md4,
  md5,
  sha1,
  sha256,
  sha384,
  sha512,
  sha512_224,
  sha512_256,
  ripemd160,
  randomBytes,
};
