/** The plan's checks, run over the run's counters, their failures logged. */
import { CheckRunner } from '../checks/check-runner.ts';
import type { MetricStore } from '../metrics/store.ts';
import type { Plan } from '../plan/types.ts';

export function runChecks(
  plan: Plan,
  store: MetricStore,
  setup: unknown,
  env: Record<string, string | undefined>,
  log: (message: string) => void,
): CheckRunner {
  return new CheckRunner(
    plan.checks,
    {
      setup,
      env,
      counter: (name) => store.counter(name),
      counterNames: (prefix = '') => [...store.counters.keys()].filter((n) => n.startsWith(prefix)),
    },
    (name, phase, message) => log(`check ${name} failed (${phase}): ${message}`),
  );
}
