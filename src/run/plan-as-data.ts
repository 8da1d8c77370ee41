/**
 * A plan crosses from the user-code host to the main thread as data: each function in it is left
 * in the host and replaced by a mark (its number there and where it was in the plan); the main
 * thread turns each mark back into a function of its own that asks the host to run it.
 *
 * `marksForFunctions` runs in the host's realm, after user code may have replaced the built-ins:
 * it uses only those taken when this module was first evaluated, before any user code.
 */
const keysOf = Object.keys;
const isArray = Array.isArray;
const isView = ArrayBuffer.isView;
const defineProperty = Object.defineProperty;
const createObject = Object.create;
const objectPrototype = Object.prototype;
const getPrototypeOf = Object.getPrototypeOf;

export const FUNCTION_MARK = 'loadproof:function';

export interface FunctionMark {
  [FUNCTION_MARK]: number;
  /** Where the function was: `setup`, `checks.db.run`, `scenarios.main.flow`... */
  path: string;
}

function put(target: object, key: string | number, value: unknown): void {
  // Defined, not assigned: a setter user code put on Object.prototype is never called.
  defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A copy of `value` with every function replaced by the mark `keep(fn, path)` gives. */
export function marksForFunctions(
  value: unknown,
  keep: (fn: (...args: unknown[]) => unknown, path: string) => number,
  path = '',
  seen = new WeakMap<object, unknown>(),
): unknown {
  if (typeof value === 'function') {
    const mark = createObject(null) as FunctionMark;
    put(mark, FUNCTION_MARK, keep(value as (...args: unknown[]) => unknown, path));
    put(mark, 'path', path);
    return mark;
  }
  if (value === null || typeof value !== 'object') return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  const at = (key: string | number) => (path ? `${path}.${key}` : String(key));
  if (isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (let i = 0; i < value.length; i++) put(copy, i, marksForFunctions(value[i], keep, at(i), seen));
    return copy;
  }
  const proto = getPrototypeOf(value);
  // Bytes, dates, maps...: structured cloning copies them as they are.
  if (isView(value) || (proto !== objectPrototype && proto !== null)) return value;
  const copy = createObject(null) as Record<string, unknown>;
  seen.set(value, copy);
  const keys = keysOf(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    put(copy, key, marksForFunctions((value as Record<string, unknown>)[key], keep, at(key), seen));
  }
  return copy;
}

function isMark(value: unknown): value is FunctionMark {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)[FUNCTION_MARK] === 'number'
  );
}

/** `data` with every mark replaced by the function `make(mark)` returns (on the main thread). */
export function functionsForMarks(data: unknown, make: (mark: FunctionMark) => unknown): unknown {
  if (isMark(data)) return make(data);
  if (Array.isArray(data)) return data.map((v) => functionsForMarks(v, make));
  if (data === null || typeof data !== 'object' || ArrayBuffer.isView(data)) return data;
  if (Object.getPrototypeOf(data) !== Object.prototype) return data;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) out[k] = functionsForMarks(v, make);
  return out;
}
