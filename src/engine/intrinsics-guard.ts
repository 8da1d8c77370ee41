/**
 * The built-ins a worker's measuring code relies on, as they were before any user code ran, and
 * a check that they still are. A flow runs in the same realm as the code that measures it: a flow
 * (or init code) that replaces `Array.prototype.push`, `Math.max`, `JSON.stringify` or rebinds
 * `globalThis.Promise` could make that code lie. Freezing them would break libraries that assign
 * over inherited properties (the "override mistake") and cost on every request; a check once a
 * second costs nothing per request and turns any such change into a failure of that worker,
 * naming what changed.
 *
 * The check uses only functions taken when this module was first evaluated.
 */
const ownKeys = Reflect.ownKeys;
const describe = Reflect.getOwnPropertyDescriptor;
const isArray = Array.isArray;
const is = Object.is;

/** Globals whose binding, own properties and prototype's own properties are watched. */
const WATCHED = [
  'Array',
  'Object',
  'JSON',
  'Math',
  'Number',
  'Promise',
  'Reflect',
  'Function',
  'String',
  'Boolean',
  'Symbol',
  'Error',
  'Map',
  'Set',
  'WeakMap',
  'Date',
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Uint8Array',
  'Float64Array',
  'BigInt',
  'Atomics',
  'TextEncoder',
  'TextDecoder',
] as const;

/** Globals whose binding alone is watched. */
const WATCHED_BINDINGS = [
  'structuredClone',
  'queueMicrotask',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'setImmediate',
  'process',
] as const;

/** What a plan may replace: nothing measures with it (k6's `randomSeed()` replaces Math.random). */
const ALLOWED = new Set(['Math.random']);

interface Watched {
  /** How it is named in a failure: `Array.prototype`, `globalThis`. */
  name: string;
  holder: object;
  /** Own keys at the snapshot, and what each held. */
  keys: (string | symbol)[];
  values: unknown[];
  /** When true, keys added later count as a change. */
  closed: boolean;
}

/** The identity of a property: its value, or its getter and setter. */
function identity(holder: object, key: string | symbol): unknown[] {
  const d = describe(holder, key);
  if (!d) return [];
  return 'value' in d ? [d.value, d.writable] : [d.get, d.set];
}

function same(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!is(a[i], b[i])) return false;
  return true;
}

/** How many of the allowed properties `holder` has. */
function allowedIn(name: string, holder: object): number {
  let n = 0;
  for (const full of ALLOWED)
    if (full.startsWith(`${name}.`) && describe(holder, full.slice(name.length + 1))) n++;
  return n;
}

function keyName(key: string | symbol): string {
  return typeof key === 'symbol' ? `[${key.description ?? 'symbol'}]` : key;
}

export class IntrinsicsGuard {
  private constructor(private readonly watched: Watched[]) {}

  /** Takes the built-ins as they are now: before any user code runs. */
  static take(): IntrinsicsGuard {
    const g = globalThis as unknown as Record<string, unknown>;
    const list: Watched[] = [];
    const watch = (name: string, holder: object, keys: (string | symbol)[], closed: boolean) => {
      const values: unknown[] = [];
      for (let i = 0; i < keys.length; i++) values[i] = identity(holder, keys[i] as string | symbol);
      list[list.length] = { name, holder, keys, values, closed };
    };
    watch('globalThis', globalThis, [...WATCHED, ...WATCHED_BINDINGS], false);
    for (const name of WATCHED) {
      const v = g[name];
      if ((typeof v !== 'object' && typeof v !== 'function') || v === null) continue;
      watch(
        name,
        v,
        ownKeys(v).filter((k) => !ALLOWED.has(`${name}.${String(k)}`)),
        true,
      );
      const proto = (v as { prototype?: unknown }).prototype;
      if (typeof proto === 'object' && proto !== null)
        watch(`${name}.prototype`, proto, ownKeys(proto), true);
    }
    return new IntrinsicsGuard(list);
  }

  /** The first built-in changed since `take()` (`Array.prototype.push`), or undefined. */
  changed(): string | undefined {
    for (let w = 0; w < this.watched.length; w++) {
      const { name, holder, keys, values, closed } = this.watched[w] as Watched;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string | symbol;
        if (!same(identity(holder, key), values[i] as unknown[]))
          return name === 'globalThis' ? `globalThis.${keyName(key)}` : `${name}.${keyName(key)}`;
      }
      if (closed) {
        const now = ownKeys(holder);
        if (isArray(now) && now.length !== keys.length + allowedIn(name, holder)) {
          for (let i = 0; i < now.length; i++) {
            const key = now[i] as string | symbol;
            let known = ALLOWED.has(`${name}.${String(key)}`);
            for (let k = 0; k < keys.length && !known; k++) known = keys[k] === key;
            if (!known) return `${name} (added ${keyName(key)})`;
          }
          return `${name} (a property removed)`;
        }
      }
    }
    return undefined;
  }
}
