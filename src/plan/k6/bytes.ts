/** A Node Buffer's bytes as the ArrayBuffer k6 APIs return. */
export function arrayBufferOf(bytes: Buffer): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}
