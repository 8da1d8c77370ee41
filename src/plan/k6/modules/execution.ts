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

const perThread = (name: string) => () => {
  throw new Error(
    `k6/execution: instance.${name} is not supported by loadproof (its VUs and iterations are spread over worker threads)`,
  );
};

const instance = {
  /** Milliseconds since the test started (the load, after setup(), as in k6). */
  get currentTestRunDuration(): number {
    const start = current()?.testStart;
    if (start === undefined)
      throw new Error('k6/execution: instance.currentTestRunDuration is only known in VU code');
    return Date.now() - start;
  },
  get vusActive(): never {
    return perThread('vusActive')();
  },
  get vusInitialized(): never {
    return perThread('vusInitialized')();
  },
  get iterationsCompleted(): never {
    return perThread('iterationsCompleted')();
  },
  get iterationsInterrupted(): never {
    return perThread('iterationsInterrupted')();
  },
};

export { instance, scenario, test, vu };
export default { vu, scenario, test, instance };
