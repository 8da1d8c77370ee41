/**
 * `k6/experimental/redis` as k6 v0.47 has it: `new Client({ addrs, username, password, db, ... })`
 * and its commands, each answering a promise (rejected with `redis: nil` where k6's is: `get` of
 * a missing key, `lpop` of an empty list, ...). The client is node-redis (the Redis project's own
 * Node client). As in k6 it connects on its first command, which must come from VU code, setup()
 * or teardown() (k6 refuses I/O in init code); the iteration waits for the promises and the
 * `.then` chains hung on them (event-loop.ts). One server per client: k6's cluster (two or more
 * `addrs`) and sentinel (`masterName`) modes are refused by name.
 */
import { createClient, type RedisClientType } from 'redis';
import { current } from '../context.ts';
import { VuPromise } from '../event-loop.ts';

/** k6 v0.47's client options; any other key is refused, as k6 refuses it. */
const OPTIONS = new Set([
  'addrs',
  'db',
  'username',
  'password',
  'sentinelUsername',
  'sentinelPassword',
  'masterName',
  'maxRetries',
  'minRetryBackoff',
  'maxRetryBackoff',
  'dialTimeout',
  'readTimeout',
  'writeTimeout',
  'poolSize',
  'minIdleConns',
  'maxConnAge',
  'poolTimeout',
  'idleTimeout',
  'idleCheckFrequency',
  'maxRedirects',
  'readOnly',
  'routeByLatency',
  'routeRandomly',
]);

type Arg = string | number | boolean;
type Reply = unknown;

class RedisNil extends Error {
  constructor() {
    super('redis: nil');
  }
}

function hostPort(addr: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(addr);
  if (!m) throw new Error(`k6/experimental/redis: address "${addr}" is not host:port`);
  return { host: (m[1] as string).replace(/^\[|\]$/g, '') || 'localhost', port: Number(m[2]) };
}

function argsOf(offset: number, values: unknown[]): string[] {
  return values.map((v, i) => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new TypeError(
      `unsupported type provided for argument at index ${i + offset}, supported types are string, number, and boolean`,
    );
  });
}

const nilAsRejection = (v: Reply) => {
  if (v === null || v === undefined) throw new RedisNil();
  return v;
};
const asNumber = (v: Reply) => Number(v);
const asBoolean = (v: Reply) => Number(v) === 1;
/** A flat [k1, v1, k2, v2] reply (RESP2) or a map (RESP3) as an object. */
const asObject = (v: Reply): Record<string, string> => {
  if (Array.isArray(v)) {
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < v.length; i += 2) out[String(v[i])] = String(v[i + 1]);
    return out;
  }
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), String(x)]));
  return { ...(v as Record<string, string>) };
};
const asList = (v: Reply): string[] =>
  (Array.isArray(v) ? v.map((x) => (x === null ? null : String(x))) : []) as string[];

export class Client {
  readonly #connection: Parameters<typeof createClient>[0];
  #client?: Promise<RedisClientType>;

  constructor(options: unknown) {
    if (options === null || typeof options !== 'object')
      throw new TypeError('unable to parse options object');
    const o = options as Record<string, unknown>;
    for (const k of Object.keys(o))
      if (!OPTIONS.has(k)) throw new Error(`invalid options; reason: unknown option "${k}"`);
    const addrs = (Array.isArray(o.addrs) ? o.addrs : []).map(String).filter((a) => a !== '');
    if (addrs.length > 1)
      throw new Error(
        'k6/experimental/redis: cluster mode (two or more addrs) is not supported by loadproof',
      );
    if (o.masterName)
      throw new Error('k6/experimental/redis: sentinel mode (masterName) is not supported by loadproof');
    const { host, port } = hostPort(addrs[0] ?? 'localhost:6379');
    const ms = (v: unknown) => (typeof v === 'number' && v > 0 ? v : undefined);
    this.#connection = {
      socket: {
        host,
        port,
        connectTimeout: ms(o.dialTimeout) ?? 5000,
        // A failed connection fails the command: no endless reconnecting behind the script's back.
        reconnectStrategy: (retries: number) => (retries >= Number(o.maxRetries ?? 3) ? false : 100),
      },
      username: o.username ? String(o.username) : undefined,
      password: o.password ? String(o.password) : undefined,
      database: typeof o.db === 'number' ? o.db : undefined,
    };
  }

  /** The connection, opened on the first command (never in init code, as in k6). */
  #connected(): Promise<RedisClientType> {
    if (!current())
      return Promise.reject(new Error('connecting to a redis server in the init context is not supported'));
    if (!this.#client) {
      const made = (async () => {
        const c = createClient(this.#connection) as RedisClientType;
        // Errors reach the commands that fail; the event itself must not end the thread.
        c.on('error', () => {});
        await c.connect();
        // An open connection does not keep the process alive once the run is over.
        c.unref();
        return c;
      })();
      // A connection that failed is tried again by the next command, as go-redis does.
      made.catch(() => {
        if (this.#client === made) this.#client = undefined;
      });
      this.#client = made;
    }
    return this.#client;
  }

  /** One command: a promise of the calling VU (crosses into user code; plain values only). */
  #run<T>(args: string[], shape: (v: Reply) => T): Promise<T> {
    const p = this.#connected().then(async (c) => shape(await c.sendCommand(args)));
    return VuPromise.of(current(), p);
  }
  #checked<T>(build: () => string[], shape: (v: Reply) => T): Promise<T> {
    try {
      return this.#run(build(), shape);
    } catch (e) {
      return VuPromise.of(current(), Promise.reject(e));
    }
  }

  isConnected(): boolean {
    return this.#client !== undefined;
  }
  set(key: string, value: Arg, expiration?: number) {
    return this.#checked(() => {
      const args = ['SET', String(key), ...argsOf(1, [value])];
      if (expiration && expiration > 0) args.push('EX', String(Math.trunc(expiration)));
      return args;
    }, String);
  }
  get(key: string) {
    return this.#run(['GET', String(key)], nilAsRejection);
  }
  getSet(key: string, value: Arg) {
    return this.#checked(() => ['GETSET', String(key), ...argsOf(1, [value])], nilAsRejection);
  }
  del(...keys: string[]) {
    return this.#run(['DEL', ...keys.map(String)], asNumber);
  }
  getDel(key: string) {
    return this.#run(['GETDEL', String(key)], nilAsRejection);
  }
  exists(...keys: string[]) {
    return this.#run(['EXISTS', ...keys.map(String)], asNumber);
  }
  incr(key: string) {
    return this.#run(['INCR', String(key)], asNumber);
  }
  incrBy(key: string, increment: number) {
    return this.#run(['INCRBY', String(key), String(Math.trunc(Number(increment)))], asNumber);
  }
  decr(key: string) {
    return this.#run(['DECR', String(key)], asNumber);
  }
  decrBy(key: string, decrement: number) {
    return this.#run(['DECRBY', String(key), String(Math.trunc(Number(decrement)))], asNumber);
  }
  randomKey() {
    return this.#run(['RANDOMKEY'], nilAsRejection);
  }
  mget(...keys: string[]) {
    return this.#run(['MGET', ...keys.map(String)], asList);
  }
  expire(key: string, seconds: number) {
    return this.#run(['EXPIRE', String(key), String(Math.trunc(Number(seconds)))], asBoolean);
  }
  ttl(key: string) {
    return this.#run(['TTL', String(key)], asNumber);
  }
  persist(key: string) {
    return this.#run(['PERSIST', String(key)], asBoolean);
  }
  lpush(key: string, ...values: Arg[]) {
    return this.#checked(() => ['LPUSH', String(key), ...argsOf(1, values)], asNumber);
  }
  rpush(key: string, ...values: Arg[]) {
    return this.#checked(() => ['RPUSH', String(key), ...argsOf(1, values)], asNumber);
  }
  lpop(key: string) {
    return this.#run(['LPOP', String(key)], nilAsRejection);
  }
  rpop(key: string) {
    return this.#run(['RPOP', String(key)], nilAsRejection);
  }
  lrange(key: string, start: number, stop: number) {
    return this.#run(['LRANGE', String(key), String(start), String(stop)], asList);
  }
  lindex(key: string, index: number) {
    return this.#run(['LINDEX', String(key), String(index)], nilAsRejection);
  }
  lset(key: string, index: number, element: string) {
    return this.#run(['LSET', String(key), String(index), String(element)], String);
  }
  lrem(key: string, count: number, value: string) {
    return this.#run(['LREM', String(key), String(count), String(value)], asNumber);
  }
  llen(key: string) {
    return this.#run(['LLEN', String(key)], asNumber);
  }
  hset(key: string, field: string, value: Arg) {
    return this.#checked(() => ['HSET', String(key), String(field), ...argsOf(2, [value])], asNumber);
  }
  hsetnx(key: string, field: string, value: string) {
    return this.#run(['HSETNX', String(key), String(field), String(value)], asBoolean);
  }
  hget(key: string, field: string) {
    return this.#run(['HGET', String(key), String(field)], nilAsRejection);
  }
  hdel(key: string, ...fields: string[]) {
    return this.#run(['HDEL', String(key), ...fields.map(String)], asNumber);
  }
  hgetall(key: string) {
    return this.#run(['HGETALL', String(key)], asObject);
  }
  hkeys(key: string) {
    return this.#run(['HKEYS', String(key)], asList);
  }
  hvals(key: string) {
    return this.#run(['HVALS', String(key)], asList);
  }
  hlen(key: string) {
    return this.#run(['HLEN', String(key)], asNumber);
  }
  hincrby(key: string, field: string, increment: number) {
    return this.#run(
      ['HINCRBY', String(key), String(field), String(Math.trunc(Number(increment)))],
      asNumber,
    );
  }
  sadd(key: string, ...members: Arg[]) {
    return this.#checked(() => ['SADD', String(key), ...argsOf(1, members)], asNumber);
  }
  srem(key: string, ...members: Arg[]) {
    return this.#checked(() => ['SREM', String(key), ...argsOf(1, members)], asNumber);
  }
  sismember(key: string, member: Arg) {
    return this.#checked(() => ['SISMEMBER', String(key), ...argsOf(1, [member])], asBoolean);
  }
  smembers(key: string) {
    return this.#run(['SMEMBERS', String(key)], asList);
  }
  srandmember(key: string) {
    return this.#run(['SRANDMEMBER', String(key)], nilAsRejection);
  }
  spop(key: string) {
    return this.#run(['SPOP', String(key)], nilAsRejection);
  }
  /** Any command, its reply as Redis gives it (strings, numbers, lists). */
  sendCommand(command: string, ...args: Arg[]) {
    return this.#checked(
      () => [String(command), ...argsOf(1, args)],
      (v) => v,
    );
  }
}

export default { Client };
