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

const instance = {
  get vusActive(): never {
    throw new Error('k6/execution: instance.vusActive is not supported by loadproof yet');
  },
};

export { instance, scenario, test, vu };
export default { vu, scenario, test, instance };
