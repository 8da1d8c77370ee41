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

/**
 * k6's hasher: `digest()` answers the hash of everything given so far and may be called again,
 * after more `update()`s too (node's hashes digest once, so a copy is digested; an HMAC, which
 * cannot be copied, is made again from its input).
 */
class Hasher {
  private readonly hmacInput: Buffer[] = [];
  private readonly hash: ReturnType<typeof nodeHash> | undefined;

  constructor(
    private readonly name: string,
    private readonly secret?: Buffer,
  ) {
    if (secret === undefined) this.hash = nodeHash(name);
  }
  update(input: Input): void {
    if (this.hash) this.hash.update(data(input));
    else this.hmacInput.push(data(input));
  }
  digest(encoding: OutputEncoding): string | ArrayBuffer {
    if (this.hash) return encode(this.hash.copy().digest(), encoding);
    const h = createHmac(this.name, this.secret as Buffer);
    for (const chunk of this.hmacInput) h.update(chunk);
    return encode(h.digest(), encoding);
  }
}

export const createHash = (name: string) => new Hasher(algorithm(name));
export const createHMAC = (name: string, secret: Input) => new Hasher(algorithm(name), data(secret));
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
