/**
 * The `Idempotency-Key` header of the services' write routes: a request sent again with the same
 * key (a retry after a 503, a timeout or a cut connection) is the same request, answered with
 * what the first attempt did instead of being done twice. The clinic keeps each key beside the
 * write it made; rehab names a request's events by it: each event without an `event_id` of its
 * own gets one derived from the sender, the route, the key and its index.
 */
import { createHash } from 'node:crypto';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** 1 to 200 visible ASCII characters (a UUID, a ULID, any client's counter). */
const KEY = /^[\x21-\x7e]{1,200}$/;

/** Why the header's value is not a key, or undefined when it is one (or absent). */
export function idempotencyKeyError(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return 'given more than once';
  return KEY.test(value) ? undefined : 'expected 1 to 200 visible ASCII characters';
}

/** The UUID of the `index`th event of a request with key `key`, sent by `sender` to `route`. */
export function eventIdFromKey(sender: string, route: string, key: string, index: number): string {
  const h = createHash('sha256').update(`${sender}\n${route}\n${key}\n${index}`).digest();
  // The layout of a name-based UUID (version 5, RFC 9562 variant), from a SHA-256 digest.
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
