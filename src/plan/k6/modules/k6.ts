/** `k6`: check, sleep, group and fail on a loadproof VU. */
import type { Vu } from '../../types.ts';
import { current, required, runIn } from '../context.ts';
import { randomSeed } from '../random-seed.ts';

export { randomSeed };

type Predicate = ((value: unknown) => unknown) | unknown;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

function record(
  vu: Vu | undefined,
  results: [string, unknown][],
  tags: Record<string, string> | undefined,
): boolean {
  let all = true;
  for (const [name, ok] of results) {
    if (vu) vu.check(name, !!ok, undefined, tags ?? {});
    if (!ok) all = false;
  }
  return all;
}

/** A predicate's error, kept to be thrown once the checks before it and it are recorded. */
class Thrown {
  constructor(readonly error: unknown) {}
}

/**
 * Records each named predicate in the `checks` rate (tagged with the check's name, group and
 * scenario, and with `tags`); true when all pass. A predicate that throws fails its check and, as
 * in k6, ends the iteration with its error: the checks after it are not run. Predicates that
 * block (made async by the transform) make check resolve later with the same answer (or reject).
 */
export function check(
  value: unknown,
  sets: Record<string, Predicate>,
  tags?: Record<string, string>,
): boolean | Promise<boolean> {
  const checkTags =
    tags && typeof tags === 'object'
      ? Object.fromEntries(Object.entries(tags).map(([k, v]): [string, string] => [k, String(v)]))
      : undefined;
  // The VU is read now: by the time blocking predicates answer, other VUs have run.
  const vu = current()?.vu;
  const results: [string, unknown][] = [];
  for (const [name, p] of Object.entries(sets ?? {})) {
    try {
      const r = typeof p === 'function' ? (p as (v: unknown) => unknown)(value) : p;
      results.push([name, isThenable(r) ? Promise.resolve(r).catch((e) => new Thrown(e)) : r]);
    } catch (e) {
      results.push([name, new Thrown(e)]);
      break;
    }
  }
  if (!results.some(([, r]) => isThenable(r))) return settle(vu, results, checkTags);
  return Promise.all(results.map(async ([n, r]) => [n, await r] as [string, unknown])).then((done) =>
    settle(vu, done, checkTags),
  );
}

/** Records the answers up to the first that threw (failed), then throws its error; else all of them. */
function settle(
  vu: Vu | undefined,
  results: [string, unknown][],
  tags: Record<string, string> | undefined,
): boolean {
  const thrown = results.findIndex(([, r]) => r instanceof Thrown);
  if (thrown < 0) return record(vu, results, tags);
  record(
    vu,
    results.slice(0, thrown + 1).map(([n, r]) => [n, r instanceof Thrown ? false : r]),
    tags,
  );
  throw ((results[thrown] as [string, unknown])[1] as Thrown).error;
}

/** Waits `seconds` (k6's unit). */
export async function sleep(seconds: number): Promise<void> {
  const ctx = required('sleep()');
  const s = Number(seconds);
  if (!Number.isFinite(s) || s < 0) throw new TypeError(`sleep(): expected seconds, got ${String(seconds)}`);
  if (ctx.vu) await ctx.vu.sleep(s);
  else await new Promise((r) => setTimeout(r, s * 1000));
}

/** Runs `fn` as a named group (nested groups give `::outer::inner`); resolves with what it returns. */
export async function group<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const ctx = required('group()');
  if (ctx.vu) return ctx.vu.group(name, () => runIn(ctx, fn));
  return fn();
}

/** Ends the iteration with an error, as k6's fail(). */
export function fail(message?: string): never {
  throw new Error(message ?? 'fail() called');
}

export default { check, sleep, group, fail, randomSeed };
