/**
 * The user-code host: a worker thread, a realm of its own, where a plan file's code runs (its top
 * level, k6 init code, setup, teardown, function checks, handleSummary). It reads the plan, sends
 * it as data (functions as marks) and runs each function when the main thread asks. Whatever the
 * plan's code does to this realm's built-ins, the main thread, which judges, never sees it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { IntrinsicsGuard } from '../engine/intrinsics-guard.ts';
import { errorToData, PlanLoadError } from '../errors.ts';
import { readPlanInput } from '../plan/load.ts';
import { marksForFunctions } from './plan-as-data.ts';
import type { CheckContextData, HostData, HostToMain, MainToHost } from './user-code-host-protocol.ts';

// Taken before any user code runs.
const guard = IntrinsicsGuard.take();
const apply = Reflect.apply;
const keysOf = Object.keys;
const port = parentPort;
if (!port) throw new Error('user-code-host-worker.ts must run in a worker thread');
const post: (m: HostToMain) => void = port.postMessage.bind(port);
const data = workerData as HostData;

type Fn = (...args: unknown[]) => unknown;
const functions: Fn[] = [];
const paths: string[] = [];
const CHECK_PATH = /^checks\.[^.]+\.run$/;

/** A check's context again, its counters read from the figures the main thread sent. */
function checkContext(d: CheckContextData) {
  const counters = d.counters;
  return {
    setup: d.setup,
    env: d.env,
    phase: d.phase,
    counter: (name: string) => counters[name] ?? 0,
    counterNames: (prefix = '') => keysOf(counters).filter((n) => n.startsWith(prefix)),
  };
}

async function call(m: MainToHost): Promise<void> {
  try {
    const fn = functions[m.fn];
    if (!fn) throw new Error(`no function ${m.fn} in the plan`);
    const args = CHECK_PATH.test(paths[m.fn] ?? '') ? [checkContext(m.args[0] as CheckContextData)] : m.args;
    const value = await apply(fn, undefined, args);
    try {
      post({ type: 'returned', call: m.call, value });
    } catch (e) {
      throw new Error(`what ${paths[m.fn]} returned cannot be copied: ${(e as Error).message}`);
    }
  } catch (e) {
    post({ type: 'threw', call: m.call, error: errorToData(e) });
  }
}

port.on('message', (m: MainToHost) => {
  if (m.type === 'call') void call(m);
});

try {
  const read = await readPlanInput(data.file, data.planOptions);
  // The plan was read by code whose built-ins the plan's code replaced: refused before setup() runs.
  const replaced = guard.changed();
  if (replaced) throw new PlanLoadError(`${data.file}: the plan's top-level code replaced ${replaced}`);
  const input = marksForFunctions(read.input, (fn, path) => {
    const id = functions.length;
    functions[id] = fn;
    paths[id] = path;
    return id;
  });
  post({ type: 'loaded', input, file: read.file, warnings: read.warnings });
} catch (e) {
  post({ type: 'failed', error: errorToData(e) });
}
