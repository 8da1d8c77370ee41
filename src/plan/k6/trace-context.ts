/**
 * Trace context headers as k6/experimental/tracing (v0.47) makes them: w3c `traceparent` or
 * jaeger `uber-trace-id`, a new trace id per request shaped as k6's (k6's prefix 0o756 and its
 * "local run" code 33 and the time in nanoseconds, each a zigzag varint, then random bytes up to
 * 16 bytes, in hex), a random span id, and the sampled flag drawn at the sampling rate.
 */
import { randomBytes } from 'node:crypto';

export interface TracingOptions {
  propagator: 'w3c' | 'jaeger';
  sampling: number;
}

const K6_PREFIX = 0o756;
const K6_LOCAL_CODE = 33;
const TRACE_ID_BYTES = 16;

/** A signed integer as a zigzag varint (the encoding k6's trace ids start with). */
function zigzagVarint(n: bigint): number[] {
  let u = n >= 0n ? n << 1n : (-n << 1n) - 1n;
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return out;
}

export function newTraceId(nowNs = BigInt(Date.now()) * 1_000_000n): string {
  const head = [
    ...zigzagVarint(BigInt(K6_PREFIX)),
    ...zigzagVarint(BigInt(K6_LOCAL_CODE)),
    ...zigzagVarint(nowNs),
  ];
  const bytes = Buffer.concat([Buffer.from(head), randomBytes(TRACE_ID_BYTES - head.length)]);
  return bytes.toString('hex');
}

export function tracingOptions(where: string, raw: unknown): TracingOptions {
  if (raw === null || typeof raw !== 'object') throw new TypeError(`${where}: the options must be an object`);
  const o = raw as Record<string, unknown>;
  if (o.propagator !== 'w3c' && o.propagator !== 'jaeger')
    throw new Error(`${where}: unknown propagator: ${String(o.propagator)} (w3c or jaeger)`);
  const sampling = o.sampling === undefined || o.sampling === null ? 1 : Number(o.sampling);
  if (!(sampling >= 0 && sampling <= 1))
    throw new Error(`${where}: sampling rate must be between 0.0 and 1.0`);
  if (o.baggage !== undefined && o.baggage !== null)
    throw new Error(`${where}: baggage is not yet supported`);
  return { propagator: o.propagator, sampling };
}

/** The header one request carries, with a new trace id and span id. */
export function traceHeader(o: TracingOptions): [string, string] {
  const sampled = o.sampling >= 1 || Math.random() < o.sampling;
  const trace = newTraceId();
  if (o.propagator === 'w3c')
    return ['traceparent', `00-${trace}-${randomBytes(8).toString('hex')}-${sampled ? '01' : '00'}`];
  return ['uber-trace-id', `${trace}:${randomBytes(4).toString('hex')}:0:${sampled ? '1' : '0'}`];
}
