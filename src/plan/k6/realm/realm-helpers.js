// Evaluated inside each k6 realm (realm.ts), before any script code: the few functions the host
// needs made by the realm itself, so that what a script can reach is the realm's own (a wrapper's
// `constructor` is the realm's Function, a promise the realm's Promise). The intrinsics are taken
// now, so that a script that replaces them later cannot change how the boundary works.
// The result is the expression below: a function the host calls once with its raw callbacks.

(function realmHelpers(host) {
  const apply = Reflect.apply;
  const defineProperty = Object.defineProperty;
  const RealmPromise = Promise;
  const then = Promise.prototype.then;
  const RealmError = Error;
  const freeze = Object.freeze;
  const keys = Object.keys;
  const create = Object.create;
  const hasOwn = Object.hasOwn;
  const isArray = Array.isArray;
  const isView = ArrayBuffer.isView;
  const sort = Array.prototype.sort;

  /** A realm function that calls `call(this, args, new.target)` on the host. */
  function wrapFunction(call, name) {
    const fn = function (...args) {
      return call(this, args, new.target);
    };
    defineProperty(fn, 'name', { value: name });
    return fn;
  }

  /** A realm promise and its settlers. */
  function deferred() {
    let resolve;
    let reject;
    const promise = new RealmPromise((ok, ko) => {
      resolve = ok;
      reject = ko;
    });
    return { promise, resolve, reject };
  }

  function defineThen(p, then) {
    defineProperty(p, 'then', {
      value: function then_(ok, ko) {
        return apply(then, undefined, [ok, ko]);
      },
      writable: true,
      configurable: true,
    });
  }

  function makeError(name, message, stack) {
    const e = new RealmError(message);
    defineProperty(e, 'name', { value: name, writable: true, configurable: true });
    if (stack) defineProperty(e, 'stack', { value: stack, writable: true, configurable: true });
    return e;
  }

  // Who runs now (see context.ts): a token per VU context, set back after each await.
  // The host's own functions stay in this closure: a script reaches only the realm's arrows.
  const here = () => host.here();
  const enter = (token) => {
    host.enter(token);
  };
  function back(token, value) {
    enter(token);
    return value;
  }

  /** `target.method(fn, ...rest)` with a blocking `fn`: arrays element after element (runtime.ts's list). */
  async function sequential(target, method, fn, ...rest) {
    const token = here();
    const at = (i, list) => {
      const before = here();
      enter(token);
      try {
        return apply(fn, rest[0], [list[i], i, list]);
      } finally {
        enter(before);
      }
    };
    if (isArray(target) || isView(target)) {
      const list = target;
      const n = list.length;
      switch (method) {
        case 'forEach':
          for (let i = 0; i < n; i++) if (i in list) await at(i, list);
          return undefined;
        case 'map': {
          const out = new Array(n);
          for (let i = 0; i < n; i++) if (i in list) out[i] = await at(i, list);
          return out;
        }
        case 'flatMap': {
          const out = [];
          for (let i = 0; i < n; i++) {
            const v = await at(i, list);
            if (isArray(v)) for (const x of v) out[out.length] = x;
            else out[out.length] = v;
          }
          return out;
        }
        case 'filter': {
          const out = [];
          for (let i = 0; i < n; i++) if (i in list && (await at(i, list))) out[out.length] = list[i];
          return out;
        }
        case 'some':
        case 'every': {
          const some = method === 'some';
          for (let i = 0; i < n; i++) if (i in list && Boolean(await at(i, list)) === some) return some;
          return !some;
        }
        case 'find':
        case 'findIndex':
          for (let i = 0; i < n; i++) if (await at(i, list)) return method === 'find' ? list[i] : i;
          return method === 'find' ? undefined : -1;
        case 'findLast':
        case 'findLastIndex':
          for (let i = n - 1; i >= 0; i--) if (await at(i, list)) return method === 'findLast' ? list[i] : i;
          return method === 'findLast' ? undefined : -1;
        case 'reduce':
        case 'reduceRight': {
          const indexes = [];
          for (let i = 0; i < n; i++) if (i in list) indexes[indexes.length] = i;
          if (method === 'reduceRight') indexes.reverse();
          let k = 0;
          let acc;
          if (rest.length > 0) acc = rest[0];
          else {
            if (indexes.length === 0) throw new TypeError(`${method} of empty array with no initial value`);
            acc = list[indexes[k++]];
          }
          for (; k < indexes.length; k++) {
            const i = indexes[k];
            const before = here();
            enter(token);
            try {
              acc = await fn(acc, list[i], i, list);
            } finally {
              enter(before);
            }
          }
          return acc;
        }
      }
      throw new TypeError(`unsupported array method ${method}`);
    }
    if ((target instanceof Map || target instanceof Set) && method === 'forEach') {
      const entries = target instanceof Map ? [...target] : [...target].map((v) => [v, v]);
      for (const [k, v] of entries) {
        const before = here();
        enter(token);
        try {
          await apply(fn, rest[0], [v, k, target]);
        } finally {
          enter(before);
        }
      }
      return undefined;
    }
    const own = target?.[method];
    if (typeof own !== 'function') throw new TypeError(`${String(target)}.${method} is not a function`);
    return apply(own, target, [fn, ...rest]);
  }

  // Index loops below: an array's iterator is the script's to replace.

  /** The getters of a module's exports, defined before its code runs (ESM's live bindings). */
  function defineExports(exportsObject, getters) {
    const names = apply(sort, keys(getters), []);
    for (let i = 0; i < names.length; i++)
      defineProperty(exportsObject, names[i], {
        get: getters[names[i]],
        enumerable: true,
        configurable: false,
      });
    return exportsObject;
  }

  /** `export * from`: every name but default, unless the module defines it itself. */
  function exportStar(exportsObject, from) {
    const names = keys(from);
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      if (name !== 'default' && !hasOwn(exportsObject, name))
        defineProperty(exportsObject, name, { get: () => from[name], enumerable: true, configurable: false });
    }
  }

  /** What `import` sees of a CommonJS file: module.exports as default, and its names. */
  function commonJsNamespace(moduleObject) {
    const value = moduleObject.exports;
    const ns = create(null);
    if (value && (typeof value === 'object' || typeof value === 'function')) {
      const names = keys(value);
      for (let i = 0; i < names.length; i++) if (names[i] !== 'default') ns[names[i]] = value[names[i]];
    }
    ns.default = value?.__esModule && 'default' in value ? value.default : value;
    return freeze(ns);
  }

  return {
    wrapFunction,
    deferred,
    defineThen,
    makeError,
    isPromise: (v) => v instanceof RealmPromise,
    isError: (v) => v instanceof RealmError,
    thenOf: (p, ok, ko) => apply(then, p, [ok, ko]),
    newObject: () => ({}),
    newNullObject: () => create(null),
    newArray: () => [],
    newToken: () => freeze(create(null)),
    freeze,
    ObjectPrototype: Object.prototype,
    global: globalThis,
    constructors: {
      ArrayBuffer,
      Uint8Array,
      Int8Array,
      Uint8ClampedArray,
      Uint16Array,
      Int16Array,
      Uint32Array,
      Int32Array,
      Float32Array,
      Float64Array,
      BigInt64Array,
      BigUint64Array,
      DataView,
      Date,
    },
    runtime: { here, back, sequential },
    defineExports,
    exportStar,
    commonJsNamespace,
  };
});
