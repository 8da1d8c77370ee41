/**
 * The CLI's shortcuts (--duration, --rate, --vus) applied to every scenario of a plan, the
 * way k6's shortcuts override its scenarios. A shortcut that cannot apply to a scenario is an
 * error naming the scenario, never silently ignored. Pure: every thread gets the same plan.
 */
import { UsageError } from '../errors.ts';
import { DEFAULT_MAX_DURATION_MS, executorOf, type Overrides } from '../executors/index.ts';
import { LIMITS, MAX_DURATION_TEXT } from './limits.ts';
import type { Plan, Scenario, ScenarioConfig } from './types.ts';

export type { Overrides } from '../executors/index.ts';

function overrideConfig(name: string, c: ScenarioConfig, o: Overrides): ScenarioConfig {
  const definition = executorOf(c);
  if (o.rate !== undefined && definition.model !== 'open') {
    throw new UsageError(
      `--rate applies to arrival-rate scenarios; scenario "${name}" uses ${c.executor} (use --vus)`,
    );
  }
  return definition.override(name, c, o);
}

/** The shortcuts' own bounds, the same as a plan's: checked before any scenario is touched. */
function checkBounds(o: Overrides): void {
  const within = (v: number | undefined, max: number) => v === undefined || (v > 0 && v <= max);
  if (!within(o.rate, LIMITS.ratePerSec))
    throw new UsageError(`--rate: expected a number above 0 and at most ${LIMITS.ratePerSec}, got ${o.rate}`);
  if (!within(o.vus, LIMITS.vus) || (o.vus !== undefined && !Number.isInteger(o.vus)))
    throw new UsageError(`--vus: expected an integer from 1 to ${LIMITS.vus}, got ${o.vus}`);
  if (!within(o.durationMs, LIMITS.durationMs))
    throw new UsageError(
      `--duration: expected a duration above 0 and at most ${MAX_DURATION_TEXT}, got ${o.durationMs} ms`,
    );
}

/**
 * A top-level flow's scenario under the shortcuts, as k6 runs its default function: --duration
 * makes it constant-vus (with --vus VUs, 1 by default), --vus alone gives each VU one iteration.
 */
function implicitConfig(c: ScenarioConfig, o: Overrides): ScenarioConfig {
  if (o.rate !== undefined)
    throw new UsageError(
      '--rate applies to arrival-rate scenarios; a top-level flow runs on VUs (use --vus)',
    );
  if (o.durationMs !== undefined)
    return { executor: 'constant-vus', vus: o.vus ?? 1, durationMs: o.durationMs };
  if (o.vus !== undefined)
    return {
      executor: 'per-vu-iterations',
      vus: o.vus,
      iterations: 1,
      maxDurationMs: DEFAULT_MAX_DURATION_MS,
    };
  return c;
}

export function applyOverrides(plan: Plan, o: Overrides): Plan {
  if (o.insecure) plan = { ...plan, http: { ...plan.http, insecureSkipTLSVerify: true } };
  if (o.durationMs === undefined && o.rate === undefined && o.vus === undefined) return plan;
  checkBounds(o);
  const scenarios: Scenario[] = plan.scenarios.map((s) => ({
    ...s,
    config: s.implicit ? implicitConfig(s.config, o) : overrideConfig(s.name, s.config, o),
  }));
  return { ...plan, scenarios };
}
