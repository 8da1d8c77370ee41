/** `k6/execution`: the current VU and scenario, and test.abort(). */
import { ABORT_METRIC, current, K6AbortError, state } from '../context.ts';

function vuOf() {
  const ctx = current();
  if (!ctx?.vu) throw new Error('k6/execution: vu is only available in VU code');
  return ctx.vu;
}

const vu = {
  get idInTest() {
    return vuOf().id;
  },
  get idInInstance() {
    return vuOf().id;
  },
  get iterationInScenario() {
    return vuOf().iteration;
  },
  get iterationInInstance() {
    return vuOf().iteration;
  },
};

const scenario = {
  get name() {
    return vuOf().scenario;
  },
  get executor() {
    return current()?.scenario?.executor ?? '';
  },
  get startTime() {
    return current()?.scenario?.startTime ?? 0;
  },
  get iterationInTest() {
    return vuOf().scenarioIteration;
  },
  get iterationInInstance() {
    return vuOf().scenarioIteration;
  },
};

const test = {
  /** Stops the whole test: the run ends (NO-GO, by the abort threshold) and this iteration now. */
  abort(reason?: string): never {
    const ctx = current();
    state.aborted = true;
    ctx?.vu?.metrics.counter(ABORT_METRIC, 1);
    throw new K6AbortError(`test aborted${reason ? `: ${reason}` : ''}`);
  },
};

/** The process's counts over all its worker threads (k6's instance: one load generator process). */
function countsOf(name: string) {
  const vu = current()?.vu;
  if (!vu) throw new Error(`k6/execution: instance.${name} is only known in VU code`);
  return vu.instance;
}

const instance = {
  /** Milliseconds since the test started (the load, after setup(), as in k6). */
  get currentTestRunDuration(): number {
    const start = current()?.testStart;
    if (start === undefined)
      throw new Error('k6/execution: instance.currentTestRunDuration is only known in VU code');
    return Date.now() - start;
  },
  get vusActive(): number {
    return countsOf('vusActive').vusActive;
  },
  get vusInitialized(): number {
    return countsOf('vusInitialized').vusInitialized;
  },
  get iterationsCompleted(): number {
    return countsOf('iterationsCompleted').iterationsCompleted;
  },
  get iterationsInterrupted(): number {
    return countsOf('iterationsInterrupted').iterationsInterrupted;
  },
};

export { instance, scenario, test, vu };
export default { vu, scenario, test, instance };
