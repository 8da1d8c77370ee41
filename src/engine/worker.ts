/**
 * A worker thread: loads the plan file itself (functions cannot cross threads), runs its share
 * and sends a Tick every second. Messages: ready, tick, log, done, error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorToData, PlanLoadError } from '../errors.ts';
import { initHistograms } from '../metrics/histogram.ts';
import { loadData } from '../plan/data.ts';
import { loadPlanFile } from '../plan/load.ts';
import { applyOverrides } from '../plan/overrides.ts';
import { Activity } from './activity.ts';
import { InFlightRequests } from './in-flight.ts';
import { IntrinsicsGuard } from './intrinsics-guard.ts';
import { Segment } from './segment.ts';
import { ThreadRun } from './thread-run.ts';
import type { MainToWorker, WorkerData, WorkerToMain } from './worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const data = workerData as WorkerData;
// Taken before the plan's code runs: a flow may replace MessagePort's or process's methods too.
const postMessage = port.postMessage.bind(port);
const post = (m: WorkerToMain) => postMessage(m);
const exit = process.exit.bind(process);
// The built-ins as they are before the plan's code runs here (see intrinsics-guard.ts).
const guard = IntrinsicsGuard.take();
const GUARD_INTERVAL_MS = 1000;
const untrusted = (replaced: string) =>
  `the plan's code replaced ${replaced} in this worker: its measurements cannot be trusted`;

try {
  await initHistograms();
  const loaded = await loadPlanFile(data.file, data.planOptions);
  const atLoad = guard.changed();
  if (atLoad) throw new PlanLoadError(`${data.file}: the plan's top-level code replaced ${atLoad}`);
  const plan = applyOverrides(loaded.plan, data.overrides);
  const sets = loadData(plan.data, loaded.baseDir);
  let run: ThreadRun | undefined;
  let stopped = false;
  let aborted = false;
  port.on('message', (m: MainToWorker) => {
    if (m.type === 'stop') {
      stopped = true;
      run?.stop();
    } else if (m.type === 'abort') {
      stopped = aborted = true;
      run?.abortNow();
    } else if (m.type === 'start') {
      run = new ThreadRun({
        plan,
        index: data.index,
        count: data.count,
        ...(data.segment ? { segment: Segment.fromSpec(data.segment) } : {}),
        epoch: m.epoch,
        setup: data.setup,
        data: sets,
        env: data.env,
        activity: new Activity(data.activity),
        inFlight: new InFlightRequests(data.inFlight),
        onTick: (tick) => post({ type: 'tick', index: data.index, tick }),
        onLog: (message) => post({ type: 'log', message }),
        seriesLimit: data.seriesLimit,
        instance: data.instance,
      });
      if (aborted) run.abortNow();
      else if (stopped) run.stop();
      // A flow that replaces a built-in ends this worker as a failure, whatever else it broke.
      const watch = setInterval(() => {
        const replaced = guard.changed();
        if (!replaced) return;
        post({ type: 'error', error: errorToData(new Error(untrusted(replaced))) });
        exit(1);
      }, GUARD_INTERVAL_MS);
      run
        .run()
        .then(() => {
          const replaced = guard.changed();
          if (replaced) post({ type: 'error', error: errorToData(new Error(untrusted(replaced))) });
          else post({ type: 'done', index: data.index });
        })
        .catch((e: unknown) => post({ type: 'error', error: errorToData(e) }))
        .finally(() => {
          clearInterval(watch);
          port.close();
        });
    }
  });
  // process.exit() in a flow ends this thread at once: what it measured since its last tick
  // still reaches the main thread (a message posted while exiting is delivered).
  process.once('exit', () => {
    const last = run?.lastTick();
    if (last) post({ type: 'tick', index: data.index, tick: last });
  });
  post({ type: 'ready', index: data.index });
} catch (e) {
  post({ type: 'error', error: errorToData(e) });
  port.close();
}
