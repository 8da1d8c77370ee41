/**
 * The CLI's shortcuts (--duration, --rate, --vus) applied to every scenario of a plan, the
 * way k6's shortcuts override its scenarios. A shortcut that cannot apply to a scenario is an
 * error naming the scenario, never silently ignored. Pure: every thread gets the same plan.
 */
import { UsageError } from '../errors.ts';
import { LIMITS, MAX_DURATION_TEXT } from './limits.ts';
import type { Plan, Scenario, ScenarioConfig } from './types.ts';

export interface Overrides {
  durationMs?: number;
  /** Iterations per second, for arrival-rate scenarios. */
  rate?: number;
  /** VUs for closed-model scenarios; maxVUs for arrival-rate ones. */
  vus?: number;
  /** `--insecure`: accept any TLS certificate, whatever the plan says. */
  insecure?: boolean;
}

function scaleStages(stages: { durationMs: number; target: number }[], totalMs: number) {
  const current = stages.reduce((a, s) => a + s.durationMs, 0);
  const f = current > 0 ? totalMs / current : 0;
  return stages.map((s) => ({ ...s, durationMs: s.durationMs * f }));
}

function overrideConfig(name: string, c: ScenarioConfig, o: Overrides): ScenarioConfig {
  const open = c.executor === 'constant-arrival-rate' || c.executor === 'ramping-arrival-rate';
  if (o.rate !== undefined && !open) {
    throw new UsageError(
      `--rate applies to arrival-rate scenarios; scenario "${name}" uses ${c.executor} (use --vus)`,
    );
  }
  switch (c.executor) {
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const maxVUs = o.vus ?? c.maxVUs;
      const pool = {
        maxVUs,
        preAllocatedVUs: Math.min(c.preAllocatedVUs, maxVUs),
        onSaturation: c.onSaturation,
      };
      if (o.rate !== undefined) {
        const durationMs =
          o.durationMs ??
          (c.executor === 'constant-arrival-rate'
            ? c.durationMs
            : c.stages.reduce((a, s) => a + s.durationMs, 0));
        return { executor: 'constant-arrival-rate', ratePerSec: o.rate, durationMs, ...pool };
      }
      if (c.executor === 'constant-arrival-rate')
        return { ...c, ...pool, durationMs: o.durationMs ?? c.durationMs };
      return {
        ...c,
        ...pool,
        stages: o.durationMs === undefined ? c.stages : scaleStages(c.stages, o.durationMs),
      };
    }
    case 'constant-vus':
      return { ...c, vus: o.vus ?? c.vus, durationMs: o.durationMs ?? c.durationMs };
    case 'ramping-vus':
      if (o.vus !== undefined) {
        return {
          executor: 'constant-vus',
          vus: o.vus,
          durationMs: o.durationMs ?? c.stages.reduce((a, s) => a + s.durationMs, 0),
        };
      }
      return { ...c, stages: o.durationMs === undefined ? c.stages : scaleStages(c.stages, o.durationMs) };
    case 'per-vu-iterations':
    case 'shared-iterations': {
      const vus = o.vus ?? c.vus;
      if (c.executor === 'shared-iterations' && vus > c.iterations) {
        throw new UsageError(`--vus ${vus} exceeds the ${c.iterations} iterations of scenario "${name}"`);
      }
      return { ...c, vus, maxDurationMs: o.durationMs ?? c.maxDurationMs };
    }
  }
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
    return { executor: 'per-vu-iterations', vus: o.vus, iterations: 1, maxDurationMs: 600_000 };
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
