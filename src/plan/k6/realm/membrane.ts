/**
 * The boundary between a k6 realm and the engine's: every value that crosses is turned into one
 * of the other side's, so that a script never holds an object of the engine's realm (whose
 * `constructor.constructor` would be Node's Function, and through it `process`), and the k6
 * modules never see the realm's built-ins (which the script may have replaced).
 *
 * Towards the realm: a function becomes a realm function that calls it; a promise, a realm
 * promise; an Error, a realm Error (the same one again when it crosses back, so that an abort
 * stays an abort); bytes are copied; arrays and plain data objects are copied once (and the copy
 * reused: `res.timings === res.timings`); any other object (a Response, a metric) is a proxy whose
 * properties cross as they are read.
 * Towards the engine: a realm function becomes a host function that calls it; a promise, a host
 * promise; arrays and objects are copied at each crossing (the script may change them between two
 * requests); a copy of the engine's object crosses back as that object.
 *
 * No copy is made in a loop the engine runs: what crosses per request is the request's own
 * arguments and its response, and a proxy costs only the properties the script reads.
 */

import { VuPromise } from '../event-loop.ts';

// Any function of either realm.
type AnyFunction = (...args: any[]) => any;

/** What realm-helpers.js gives the host. */
export interface RealmHelpers {
  wrapFunction(
    call: (self: unknown, args: unknown[], newTarget: unknown) => unknown,
    name: string,
  ): AnyFunction;
  deferred(): { promise: object; resolve(v: unknown): void; reject(e: unknown): void };
  /** Gives the realm promise `p` an own `then` that calls `then` (a realm function). */
  defineThen(p: object, then: unknown): void;
  makeError(name: string, message: string, stack?: string): object;
  isPromise(v: unknown): boolean;
  isError(v: unknown): boolean;
  thenOf(p: unknown, ok: unknown, ko: unknown): unknown;
  newObject(): Record<PropertyKey, unknown>;
  newNullObject(): Record<PropertyKey, unknown>;
  newArray(): unknown[];
  newToken(): object;
  freeze<T>(v: T): T;
  ObjectPrototype: object;
  global: Record<string, unknown>;
  constructors: Record<string, new (...args: any[]) => any>;
  runtime: Record<string, unknown>;
  defineExports(exportsObject: object, getters: Record<string, () => unknown>): object;
  exportStar(exportsObject: object, from: object): void;
  commonJsNamespace(moduleObject: object): object;
}

export interface Membrane {
  toRealm(value: unknown): unknown;
  fromRealm(value: unknown): unknown;
  /** A realm function calling `fn` with the realm's own values, for host code that deals in them (the linker). */
  raw(fn: (...args: any[]) => unknown, name: string): AnyFunction;
}

type Obj = object;
const isObject = (v: unknown): v is Obj => (typeof v === 'object' && v !== null) || typeof v === 'function';
const tagOf = (v: Obj) => Object.prototype.toString.call(v).slice(8, -1);

/** Data only: no prototype but Object's (or none), no getters or setters. */
function isPlainData(v: Obj): boolean {
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  const descriptors = Object.getOwnPropertyDescriptors(v);
  for (const key of Reflect.ownKeys(descriptors)) if (!('value' in (descriptors as any)[key])) return false;
  return true;
}

export function createMembrane(realm: RealmHelpers): Membrane {
  // host object -> its realm face; realm object -> its host face
  const realmOf = new WeakMap<Obj, unknown>();
  const hostOf = new WeakMap<Obj, unknown>();
  const pair = (host: Obj, inRealm: Obj) => {
    realmOf.set(host, inRealm);
    hostOf.set(inRealm, host);
    return inRealm;
  };
  const define = (o: Obj, key: PropertyKey, value: unknown) =>
    Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });

  const toRealmError = (e: unknown) => toRealm(e);

  function hostFunction(fn: AnyFunction): Obj {
    const wrapped = realm.wrapFunction((self, args, newTarget) => {
      try {
        const hostArgs: unknown[] = [];
        for (let i = 0; i < args.length; i++) hostArgs[i] = fromRealm(args[i]);
        const result =
          newTarget !== undefined
            ? Reflect.construct(fn, hostArgs)
            : Reflect.apply(fn, fromRealm(self), hostArgs);
        return toRealm(result);
      } catch (e) {
        throw toRealmError(e);
      }
    }, fn.name);
    pair(fn, wrapped);
    const proto = (fn as { prototype?: unknown }).prototype;
    if (isObject(proto) && Object.getOwnPropertyDescriptor(wrapped, 'prototype')?.writable)
      Object.defineProperty(wrapped, 'prototype', { value: toRealm(proto), writable: false });
    return wrapped;
  }

  function hostProxy(host: Obj): Obj {
    const proxy = new Proxy(realm.newObject(), {
      get: (_t, key) => toRealm(Reflect.get(host, key, host)),
      set: (_t, key, value) => Reflect.set(host, key, fromRealm(value), host),
      has: (_t, key) => Reflect.has(host, key),
      deleteProperty: (_t, key) => Reflect.deleteProperty(host, key),
      ownKeys: () => Reflect.ownKeys(host),
      getOwnPropertyDescriptor: (_t, key) => {
        const d = Reflect.getOwnPropertyDescriptor(host, key);
        if (!d) return undefined;
        return {
          value: toRealm(Reflect.get(host, key, host)),
          writable: d.writable ?? d.set !== undefined,
          enumerable: d.enumerable,
          configurable: true,
        };
      },
      defineProperty: () => false,
      getPrototypeOf: () => {
        const proto = Reflect.getPrototypeOf(host);
        if (proto === null) return null;
        return proto === Object.prototype ? realm.ObjectPrototype : (toRealm(proto) as Obj);
      },
      setPrototypeOf: () => false,
    });
    return pair(host, proxy);
  }

  function bytesToRealm(v: Obj): Obj {
    const C = realm.constructors;
    if (v instanceof ArrayBuffer) {
      const copy = new (C.ArrayBuffer as ArrayBufferConstructor)(v.byteLength);
      new (C.Uint8Array as Uint8ArrayConstructor)(copy).set(new Uint8Array(v));
      return copy;
    }
    const view = v as ArrayBufferView;
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    const buffer = new (C.ArrayBuffer as ArrayBufferConstructor)(view.byteLength);
    new (C.Uint8Array as Uint8ArrayConstructor)(buffer).set(bytes);
    // A Buffer is a Uint8Array to a script.
    const name = v instanceof Buffer ? 'Uint8Array' : (v.constructor?.name ?? 'Uint8Array');
    const Ctor = (C[name] ?? C.Uint8Array) as new (b: ArrayBuffer) => Obj;
    return new Ctor(buffer);
  }

  function toRealm(v: unknown): unknown {
    if (!isObject(v)) return v;
    const known = realmOf.get(v);
    if (known !== undefined) return known;
    if (typeof v === 'function') return hostFunction(v as AnyFunction);
    if (v instanceof Promise) {
      const d = realm.deferred();
      pair(v, d.promise);
      // Promise's own then: a VuPromise's would count as the script chaining on it.
      Promise.prototype.then.call(
        v,
        (x) => d.resolve(toRealm(x)),
        (e) => d.reject(toRealm(e)),
      );
      // A k6 module's promise (event-loop.ts): the script's then/catch/finally go through its own
      // then, so that their handlers run as their VU and the iteration waits for the chain.
      // (`await` reads the realm promise itself; the script's awaits set their VU back already.)
      if (v instanceof VuPromise) {
        realm.defineThen(
          d.promise,
          toRealm((ok: unknown, ko: unknown) => v.then(ok as AnyFunction, ko as AnyFunction)),
        );
        // Its rejection nobody handles is the event loop's to report (it fails the iteration),
        // not the thread's unhandled rejection.
        realm.thenOf(
          d.promise,
          undefined,
          toRealm(() => {}),
        );
      }
      return d.promise;
    }
    if (v instanceof Error) {
      const e = realm.makeError(v.name, v.message, v.stack);
      return pair(v, e);
    }
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return bytesToRealm(v);
    if (v instanceof Date) return new (realm.constructors.Date as DateConstructor)(v.getTime());
    if (Array.isArray(v)) {
      const out = realm.newArray();
      pair(v, out);
      for (let i = 0; i < v.length; i++) out[i] = toRealm(v[i]);
      return Object.isFrozen(v) ? realm.freeze(out) : out;
    }
    if (isPlainData(v)) {
      const out = Object.getPrototypeOf(v) === null ? realm.newNullObject() : realm.newObject();
      pair(v, out);
      for (const key of Reflect.ownKeys(v)) {
        const d = Object.getOwnPropertyDescriptor(v, key);
        if (d?.enumerable) define(out, key, toRealm(d.value));
      }
      return Object.isFrozen(v) ? realm.freeze(out) : out;
    }
    return hostProxy(v);
  }

  function realmFunction(fn: AnyFunction): Obj {
    const wrapped = function (this: unknown, ...args: unknown[]) {
      const realmArgs = realm.newArray();
      for (let i = 0; i < args.length; i++) realmArgs[i] = toRealm(args[i]);
      try {
        return fromRealm(
          new.target ? Reflect.construct(fn, realmArgs) : Reflect.apply(fn, toRealm(this), realmArgs),
        );
      } catch (e) {
        throw fromRealm(e);
      }
    };
    Object.defineProperty(wrapped, 'name', { value: fn.name });
    realmOf.set(wrapped, fn);
    hostOf.set(fn, wrapped);
    return wrapped;
  }

  function fromRealm(v: unknown, seen?: Map<Obj, unknown>): unknown {
    if (!isObject(v)) return v;
    const known = hostOf.get(v);
    if (known !== undefined) return known;
    if (typeof v === 'function') return realmFunction(v as AnyFunction);
    if (realm.isPromise(v)) {
      const p = new Promise((ok, ko) => {
        realm.thenOf(v, toRealm(ok), toRealm(ko));
      });
      hostOf.set(v, p);
      realmOf.set(p, v);
      return p;
    }
    if (realm.isError(v)) {
      const err = v as Error;
      const e = new Error(String(err.message));
      e.name = String(err.name);
      if (typeof err.stack === 'string') e.stack = err.stack;
      hostOf.set(v, e);
      realmOf.set(e, v);
      return e;
    }
    const tag = tagOf(v);
    if (tag === 'ArrayBuffer') return new Uint8Array(new Uint8Array(v as ArrayBuffer)).buffer;
    if (ArrayBuffer.isView(v)) {
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
      if (tag === 'Uint8Array') return bytes;
      const Ctor = (globalThis as any)[tag] as (new (b: ArrayBuffer) => unknown) | undefined;
      return Ctor ? new Ctor(bytes.buffer) : bytes;
    }
    if (tag === 'Date') return new Date((v as Date).getTime());
    // Copied at each crossing (cycles kept): the script may change it before it crosses again.
    const copies = seen ?? new Map<Obj, unknown>();
    const done = copies.get(v);
    if (done !== undefined) return done;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      copies.set(v, out);
      realmOf.set(out, v);
      for (let i = 0; i < v.length; i++) out[i] = fromRealm(v[i], copies);
      return out;
    }
    const out: Record<string, unknown> = {};
    copies.set(v, out);
    realmOf.set(out, v);
    // Defined, not assigned: a key `__proto__` is a key here too.
    for (const key of Object.keys(v))
      define(out, key, fromRealm((v as Record<string, unknown>)[key], copies));
    return out;
  }

  function raw(fn: (...args: any[]) => unknown, name: string): AnyFunction {
    return realm.wrapFunction((_self, args) => {
      try {
        return fn(...Array.prototype.slice.call(args));
      } catch (e) {
        throw toRealmError(e);
      }
    }, name);
  }

  return { toRealm, fromRealm: (v) => fromRealm(v), raw };
}
