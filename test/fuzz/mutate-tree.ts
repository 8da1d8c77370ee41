/**
 * Structural mutations of a plan as data (a parsed Artillery script, or a TypeScript plan's
 * object): a value replaced by one at the edge of what is accepted, a key removed or added, a list
 * item duplicated or dropped, a subtree moved elsewhere, a string spliced. A few per mutant, so
 * most mutants stay close enough to a real plan to reach deep into validation.
 */
import type { Random } from './random.ts';
import { KEYS, NUMBERS, STRINGS } from './values.ts';

type Container = Record<string, unknown> | unknown[];
interface Slot {
  parent: Container;
  key: string | number;
}

const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

/** A deep copy of plain data (NaN and Infinity kept, which a JSON round trip would lose). */
export function cloneTree<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneTree) as T;
  if (isContainer(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, k, cloneTree(x));
    return out as T;
  }
  return v;
}

/** Sets a property as data, even when its name is `__proto__`. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function slots(root: unknown): Slot[] {
  const out: Slot[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v))
      v.forEach((x, i) => {
        out.push({ parent: v, key: i });
        visit(x);
      });
    else if (isContainer(v))
      for (const [k, x] of Object.entries(v)) {
        out.push({ parent: v, key: k });
        visit(x);
      }
  };
  visit(root);
  return out;
}

function containers(root: unknown): Container[] {
  const out: Container[] = [];
  const visit = (v: unknown) => {
    if (!isContainer(v)) return;
    out.push(v);
    for (const x of Object.values(v)) visit(x);
  };
  visit(root);
  return out;
}

const get = (s: Slot) => (s.parent as Record<string, unknown>)[s.key as string];
function put(s: Slot, value: unknown): void {
  if (Array.isArray(s.parent)) s.parent[s.key as number] = value;
  else setOwn(s.parent, s.key as string, value);
}

/** A value at the edges of what plans accept. */
export function edgeValue(r: Random): unknown {
  switch (r.int(8)) {
    case 0:
    case 1:
    case 2:
      return r.pick(NUMBERS);
    case 3:
    case 4:
    case 5:
      return r.pick(STRINGS);
    case 6:
      return r.pick([true, false, null, undefined]);
    default:
      return r.pick([[], {}, [r.pick(NUMBERS)], { [r.pick(KEYS)]: r.pick(STRINGS) }, [[[[]]]]]);
  }
}

const OPERATORS: ((root: unknown, r: Random) => void)[] = [
  function replace(root, r) {
    const all = slots(root);
    if (all.length) put(r.pick(all), edgeValue(r));
  },
  function scaleNumber(root, r) {
    const nums = slots(root).filter((s) => typeof get(s) === 'number');
    if (!nums.length) return;
    const s = r.pick(nums);
    const n = get(s) as number;
    put(s, r.pick([n * 10 ** (1 + r.int(12)), -n, n + 0.5, n / 1e6, Math.round(n * 1000)]));
  },
  function deleteKey(root, r) {
    const all = slots(root);
    if (!all.length) return;
    const s = r.pick(all);
    if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
    else delete s.parent[s.key as string];
  },
  function addKey(root, r) {
    const objects = containers(root).filter((c) => !Array.isArray(c)) as Record<string, unknown>[];
    if (objects.length) setOwn(r.pick(objects), r.pick(KEYS), edgeValue(r));
  },
  function duplicateItem(root, r) {
    const lists = containers(root).filter((c) => Array.isArray(c) && c.length) as unknown[][];
    if (!lists.length) return;
    const list = r.pick(lists);
    const times = r.pick([1, 1, 2, 50]);
    for (let i = 0; i < times; i++) list.push(cloneTree(r.pick(list)));
  },
  function transplant(root, r) {
    const all = slots(root);
    if (all.length < 2) return;
    put(r.pick(all), cloneTree(get(r.pick(all))));
  },
  function spliceString(root, r) {
    const strings = slots(root).filter((s) => typeof get(s) === 'string');
    if (!strings.length) return;
    const s = r.pick(strings);
    const text = get(s) as string;
    const at = r.int(text.length + 1);
    put(s, text.slice(0, at) + r.pick(STRINGS) + text.slice(at + r.int(3)));
  },
  function wrapOrUnwrap(root, r) {
    const all = slots(root);
    if (!all.length) return;
    const s = r.pick(all);
    const v = get(s);
    put(s, Array.isArray(v) ? v[0] : [v]);
  },
];

/** A mutated copy of `tree`: 1 to 3 mutations, chosen by `r`. */
export function mutateTree<T>(tree: T, r: Random): T {
  const out = cloneTree(tree);
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) r.pick(OPERATORS)(out, r);
  return out;
}
