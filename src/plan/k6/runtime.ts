/**
 * Helpers of rewritten k6 code (`loadproof:k6/runtime` in transform.ts's prelude, and converted
 * plans through api.ts): the array methods run element by element, `open()` relative to the
 * module. A script's realm has its own (realm/realm-helpers.js) and k6's globals.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readInputFile } from '../input-file.ts';
import { arrayBufferOf } from './bytes.ts';
import { current, runIn } from './context.ts';

export { back, current as here } from './context.ts';

// Script callbacks take whatever the array holds.
type Callback = (...args: any[]) => unknown;

function sequentialArray(
  list: readonly unknown[],
  method: string,
  fn: Callback,
  rest: unknown[],
): Promise<unknown> {
  // Each element's call runs as the VU that called the array method (others ran in between).
  const ctx = current();
  const at = async (i: number) => runIn(ctx, () => fn.call(rest[0], list[i], i, list));
  const run = async (): Promise<unknown> => {
    switch (method) {
      case 'forEach':
        for (let i = 0; i < list.length; i++) if (i in list) await at(i);
        return undefined;
      case 'map': {
        const out: unknown[] = new Array(list.length);
        for (let i = 0; i < list.length; i++) if (i in list) out[i] = await at(i);
        return out;
      }
      case 'flatMap': {
        const out: unknown[] = [];
        for (let i = 0; i < list.length; i++) {
          const v = await at(i);
          if (Array.isArray(v)) out.push(...v);
          else out.push(v);
        }
        return out;
      }
      case 'filter': {
        const out: unknown[] = [];
        for (let i = 0; i < list.length; i++) if (i in list && (await at(i))) out.push(list[i]);
        return out;
      }
      case 'some':
        for (let i = 0; i < list.length; i++) if (i in list && (await at(i))) return true;
        return false;
      case 'every':
        for (let i = 0; i < list.length; i++) if (i in list && !(await at(i))) return false;
        return true;
      case 'find':
      case 'findIndex':
        for (let i = 0; i < list.length; i++) if (await at(i)) return method === 'find' ? list[i] : i;
        return method === 'find' ? undefined : -1;
      case 'findLast':
      case 'findLastIndex':
        for (let i = list.length - 1; i >= 0; i--)
          if (await at(i)) return method === 'findLast' ? list[i] : i;
        return method === 'findLast' ? undefined : -1;
      case 'reduce':
      case 'reduceRight': {
        const indexes = [...list.keys()].filter((i) => i in list);
        if (method === 'reduceRight') indexes.reverse();
        let acc: unknown;
        let k = 0;
        if (rest.length > 0) acc = rest[0];
        else {
          if (indexes.length === 0) throw new TypeError(`${method} of empty array with no initial value`);
          acc = list[indexes[k++] as number];
        }
        for (; k < indexes.length; k++) {
          const i = indexes[k] as number;
          const before = acc;
          acc = await runIn(ctx, () => fn(before, list[i], i, list));
        }
        return acc;
      }
    }
    throw new TypeError(`unsupported array method ${method}`);
  };
  return run();
}

/**
 * `target.method(fn, ...rest)` where `fn` blocks: arrays (and Map, Set forEach) element after
 * element; any other object's own method as it is, its result awaited.
 */
export async function sequential(
  target: unknown,
  method: string,
  fn: Callback,
  ...rest: unknown[]
): Promise<unknown> {
  if (Array.isArray(target) || ArrayBuffer.isView(target))
    return sequentialArray(target as unknown as readonly unknown[], method, fn, rest);
  if ((target instanceof Map || target instanceof Set) && method === 'forEach') {
    const ctx = current();
    for (const [k, v] of target instanceof Map ? target : [...target].map((v) => [v, v]))
      await runIn(ctx, () => fn.call(rest[0], v, k, target));
    return undefined;
  }
  const own = (target as Record<string, unknown> | null | undefined)?.[method];
  if (typeof own !== 'function') throw new TypeError(`${String(target)}.${method} is not a function`);
  return own.call(target, fn, ...rest);
}

/** k6's `open(path, mode)` for the module at `moduleUrl`: text, or an ArrayBuffer with 'b'. */
export function opener(moduleUrl: string) {
  const dir = dirname(fileURLToPath(moduleUrl));
  return (path: string, mode?: string): string | ArrayBuffer => {
    const file = resolve(dir, String(path));
    const bytes = readInputFile(file, 'open()');
    if (mode === 'b') return arrayBufferOf(bytes);
    return bytes.toString('utf8');
  };
}
