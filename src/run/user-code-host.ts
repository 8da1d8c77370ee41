/**
 * The main thread's side of the user-code host (user-code-host-worker.ts): a plan file is read
 * there, and here it is validated from data, each of its functions a call to the host. The main
 * thread runs no user code, so it always answers a signal, and nothing the plan's code does to
 * its built-ins reaches the thresholds, the verdict or results.json.
 *
 * A hook that does not finish in its time, or a plan whose top-level code does not, is stopped by
 * terminating the host (a synchronous loop included). A host that ends while a function runs
 * (`process.exit()`, an uncaught error) fails that function and every later one.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { errorFromData, LoadproofError, PlanLoadError } from '../errors.ts';
import type { LoadedPlan, PlanFileOptions } from '../plan/load.ts';
import type { CheckContext, Plan } from '../plan/types.ts';
import { validatePlan } from '../plan/validate.ts';
import { type FunctionMark, functionsForMarks } from './plan-as-data.ts';
import { HOOK_TIMEOUT_MS } from './plan-hooks.ts';
import type { CheckContextData, HostData, HostToMain, MainToHost } from './user-code-host-protocol.ts';
import { shownMs } from './within-time.ts';

/** handleSummary()'s time limit (k6 has none; a hook that hangs must not hang the run). */
export const SUMMARY_TIMEOUT_MS = 60_000;

export interface HostedPlan extends LoadedPlan {
  /** Ends the host (at once, whatever it runs). */
  close(): Promise<void>;
  /**
   * Ends the host if a call is still running in it (a hook given up on: a teardown() stopped by a
   * second signal, a check past its time): later calls then fail at once, naming `why`.
   */
  endIfBusy(why: string): Promise<void>;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

export interface HostLimits {
  /** How long the plan's top-level code (k6 init code) may run. */
  initTimeoutMs: number;
}

export async function loadPlanInHost(
  path: string,
  planOptions: PlanFileOptions,
  limits: HostLimits,
): Promise<HostedPlan> {
  const file = resolve(path);
  if (!existsSync(file) || !statSync(file).isFile()) throw new PlanLoadError(`plan file not found: ${path}`);
  const workerData: HostData = { file, planOptions };
  const worker = new Worker(new URL('./user-code-host-entry.mjs', import.meta.url), { workerData });
  const pending = new Map<number, Pending>();
  let calls = 0;
  /** Why the host is gone, once it is. */
  let gone: string | undefined;
  let onGone: (why: string) => void = () => {};
  const end = (why: string) => {
    if (gone !== undefined) return;
    gone = why;
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(why));
    }
    pending.clear();
    onGone(why);
  };
  const terminate = async (why: string) => {
    end(why);
    await worker.terminate();
  };
  worker.on('error', (e) => end(`the plan's code failed outside any hook: ${e.message}`));
  worker.on('exit', (code) =>
    end(
      `the plan's code ended its thread (process.exit(${code})): loadproof's verdict is not the plan's to give`,
    ),
  );
  worker.on('message', (m: HostToMain) => {
    if (m.type !== 'returned' && m.type !== 'threw') return;
    const p = pending.get(m.call);
    if (!p) return;
    pending.delete(m.call);
    clearTimeout(p.timer);
    if (m.type === 'returned') p.resolve(m.value);
    else p.reject(errorFromData(m.error));
  });

  const call = (fn: number, what: string, args: unknown[], limitMs?: number): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (gone !== undefined) {
        reject(new Error(`${what} not run: ${gone}`));
        return;
      }
      const id = ++calls;
      const p: Pending = { resolve, reject };
      if (limitMs !== undefined)
        p.timer = setTimeout(
          () => void terminate(`${what} did not finish within ${shownMs(limitMs)}`),
          limitMs,
        );
      pending.set(id, p);
      const message: MainToHost = { type: 'call', call: id, fn, args };
      try {
        worker.postMessage(message);
      } catch (e) {
        pending.delete(id);
        clearTimeout(p.timer);
        reject(
          new Error(`${what}: its arguments cannot be sent to the plan's thread: ${(e as Error).message}`),
        );
      }
    });

  let loaded: Extract<HostToMain, { type: 'loaded' }>;
  try {
    loaded = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          void terminate(
            `${path}: the plan's top-level code did not finish within ${shownMs(limits.initTimeoutMs)} (LOADPROOF_INIT_TIMEOUT): a loop that never ends?`,
          ),
        limits.initTimeoutMs,
      );
      // A signal meanwhile is run-command's: it exits at once, the host with it.
      const settled = () => clearTimeout(timer);
      onGone = (why) => {
        settled();
        reject(new PlanLoadError(why));
      };
      worker.on('message', (m: HostToMain) => {
        if (m.type === 'loaded') {
          settled();
          resolve(m);
        } else if (m.type === 'failed') {
          settled();
          const e = errorFromData(m.error);
          reject(
            e instanceof LoadproofError
              ? e
              : new PlanLoadError(`${path}: the plan could not be loaded: ${e.message}`),
          );
        }
      });
    });
  } catch (e) {
    onGone = () => {};
    await terminate('load failed');
    throw e;
  }
  onGone = () => {};

  let plan: Plan | undefined;
  const proxy = (mark: FunctionMark) => {
    const fn = mark['loadproof:function'];
    const path = mark.path;
    if (path === 'setup')
      return (ctx: unknown) => call(fn, 'setup()', [ctx], plan?.setupTimeoutMs ?? HOOK_TIMEOUT_MS);
    if (path === 'teardown')
      return (data: unknown, ctx: unknown) =>
        call(fn, 'teardown()', [data, ctx], plan?.teardownTimeoutMs ?? HOOK_TIMEOUT_MS);
    if (path === 'handleSummary')
      return (results: unknown) => call(fn, 'handleSummary()', [results], SUMMARY_TIMEOUT_MS);
    if (/^checks\.[^.]+\.run$/.test(path))
      return (ctx: CheckContext) => call(fn, `check ${path.slice(7, -4)}`, [checkContextData(ctx)]);
    return () => {
      throw new Error(`${path}: the plan's flows run in the load worker threads, not on the main thread`);
    };
  };
  const input = functionsForMarks(loaded.input, proxy);
  try {
    plan = validatePlan(input, path);
  } catch (e) {
    await terminate('invalid plan');
    throw e;
  }
  return {
    plan,
    file: loaded.file,
    baseDir: dirname(loaded.file),
    warnings: loaded.warnings,
    close: () => terminate('the run ended'),
    endIfBusy: async (why) => {
      if (pending.size > 0) await terminate(why);
    },
  };
}

/** A check's context as data: the counters' figures at this moment. */
function checkContextData(ctx: CheckContext): CheckContextData {
  const counters: Record<string, number> = {};
  for (const name of ctx.counterNames()) counters[name] = ctx.counter(name);
  return { setup: ctx.setup, env: ctx.env, phase: ctx.phase, counters };
}
