/** `k6/data`: SharedArray, built once per worker thread and shared by its VUs, read-only. */
import { current, state } from '../context.ts';

export class SharedArray {
  constructor(name: string, build: () => unknown[]) {
    if (current()?.vu) throw new Error('k6/data: a SharedArray must be created in init code');
    if (typeof name !== 'string' || name === '') throw new Error('k6/data: a SharedArray needs a name');
    let list = state.sharedArrays.get(name);
    if (!list) {
      const built = build();
      if (!Array.isArray(built))
        throw new Error(`k6/data: SharedArray "${name}": the function must return an array`);
      list = Object.freeze(built.map((v) => deepFreeze(v)));
      state.sharedArrays.set(name, list);
    }
    // biome-ignore lint/correctness/noConstructorReturn: k6's SharedArray is used as the array itself.
    return list as unknown as SharedArray;
  }
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

export default { SharedArray };
