/** What a run reports of itself while it goes on: the figures merged so far, each scenario's state. */

import { scenarioDurationMs, targetAt } from '../executors/index.ts';
import { scenarioKey } from '../metrics/keys.ts';
import type { MetricStore } from '../metrics/store.ts';
import type { Timeline } from '../metrics/timeline.ts';
import type { Progress } from '../outputs/progress.ts';
import type { Plan } from '../plan/types.ts';

export function progressOf(
  plan: Plan,
  store: MetricStore,
  timeline: Timeline,
  elapsedMs: number,
  plannedMs: number,
): Progress {
  return {
    elapsedMs,
    plannedMs,
    requests: store.counter('http_reqs'),
    iterations: store.counter('iterations'),
    dropped: store.counter('dropped_iterations'),
    errors: [...(store.errors.get('')?.values() ?? [])].reduce((a, b) => a + b, 0),
    failed: store.rate('http_req_failed')[0],
    last: timeline.latest(),
    scenarios: plan.scenarios.map((sc) => {
      const since = elapsedMs - sc.startTimeMs;
      const key = scenarioKey(sc.name);
      return {
        name: sc.name,
        state: since < 0 ? 'waiting' : since < scenarioDurationMs(sc.config) ? 'running' : 'done',
        target: targetAt(sc.config, since),
        requests: store.counter('http_reqs', key),
        iterations: store.counter('iterations', key),
      };
    }),
  };
}
