/**
 * k6's `res.ocsp`: the OCSP response a server stapled to the TLS handshake (RFC 6960), read as
 * k6 reads it through Go's ocsp package: the first certificate's status, its times in Unix
 * seconds, and its revocation reason. Without a stapled response (or one that cannot be read),
 * the status is `unknown` and the times 0; on `http:` every field is empty, as in k6.
 */

export interface K6Ocsp {
  produced_at: number;
  this_update: number;
  next_update: number;
  revoked_at: number;
  revocation_reason: string;
  status: string;
}

/** k6's `res.ocsp` of a plain-HTTP response. */
export const NO_TLS_OCSP: Readonly<K6Ocsp> = Object.freeze({
  produced_at: 0,
  this_update: 0,
  next_update: 0,
  revoked_at: 0,
  revocation_reason: '',
  status: '',
});

/** Go's zero time in Unix seconds: what k6 shows for a time a stapled response leaves out. */
const GO_ZERO_TIME = -62135596800;

const REASONS = [
  'unspecified',
  'key_compromise',
  'ca_compromise',
  'affiliation_changed',
  'superseded',
  'cessation_of_operation',
  'certificate_hold',
  'unused',
  'remove_from_crl',
  'privilege_withdrawn',
  'aa_compromise',
];

interface Der {
  tag: number;
  /** The value's bytes. */
  value: Uint8Array;
  /** Where the next element starts. */
  end: number;
}

/** One DER element at `at` in `bytes`. */
function der(bytes: Uint8Array, at: number): Der {
  const tag = bytes[at] as number;
  let length = bytes[at + 1] as number;
  let start = at + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4) throw new Error('bad DER length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (bytes[start + i] as number);
    start += n;
  }
  if (start + length > bytes.length) throw new Error('DER element past the end');
  return { tag, value: bytes.subarray(start, start + length), end: start + length };
}

/** The elements inside a constructed value. */
function children(value: Uint8Array): Der[] {
  const out: Der[] = [];
  for (let at = 0; at < value.length; ) {
    const d = der(value, at);
    out.push(d);
    at = d.end;
  }
  return out;
}

/** A GeneralizedTime (YYYYMMDDHHMMSS[.fff]Z) in Unix seconds. */
function seconds(d: Der | undefined): number {
  if (d === undefined || d.tag !== 0x18) throw new Error('expected a GeneralizedTime');
  const t = Buffer.from(d.value).toString('latin1');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(t);
  if (!m) throw new Error(`bad GeneralizedTime ${t}`);
  const [, y, mo, day, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, day, h, mi, s) / 1000;
}

/** The stapled response's facts, or undefined when it is not a successful basic OCSP response. */
function parse(bytes: Uint8Array): K6Ocsp | undefined {
  const [status, responseBytes] = children(der(bytes, 0).value);
  if (status?.tag !== 0x0a || status.value[0] !== 0 || responseBytes?.tag !== 0xa0) return undefined;
  const [, response] = children(children(responseBytes.value)[0]?.value ?? new Uint8Array());
  if (response?.tag !== 0x04) return undefined;
  const [tbs] = children(der(response.value, 0).value);
  let fields = children(tbs?.value ?? new Uint8Array());
  if (fields[0]?.tag === 0xa0) fields = fields.slice(1); // the version
  const producedAt = seconds(fields[1]);
  const single = children(children(fields[2]?.value ?? new Uint8Array())[0]?.value ?? new Uint8Array());
  const [, certStatus, thisUpdate, next] = single;
  const out: K6Ocsp = {
    produced_at: producedAt,
    this_update: seconds(thisUpdate),
    next_update: next?.tag === 0xa0 ? seconds(children(next.value)[0]) : GO_ZERO_TIME,
    revoked_at: GO_ZERO_TIME,
    revocation_reason: 'unspecified',
    status: 'unknown',
  };
  if (certStatus?.tag === 0x80) out.status = 'good';
  else if (certStatus?.tag === 0xa1) {
    out.status = 'revoked';
    const [at, reason] = children(certStatus.value);
    out.revoked_at = seconds(at);
    if (reason?.tag === 0xa0)
      out.revocation_reason = REASONS[children(reason.value)[0]?.value[0] ?? 0] ?? 'unspecified';
  }
  return out;
}

/** k6's `res.ocsp` of an `https:` response, from the response the server stapled, if any. */
export function ocspOf(stapled: Uint8Array | undefined): K6Ocsp {
  const none: K6Ocsp = { ...NO_TLS_OCSP, status: 'unknown' };
  if (stapled === undefined) return none;
  try {
    return parse(stapled) ?? none;
  } catch {
    return none;
  }
}
