/**
 * Artillery phases as loadproof scenarios, one per phase, each starting when the phases before
 * it end (open model, as in Artillery): `arrivalRate` starts that many virtual users per second
 * (constant-arrival-rate), `rampTo` moves the rate linearly (ramping-arrival-rate),
 * `arrivalCount` spreads that many over the phase, `pause` starts none. `maxVusers` caps the
 * phase's concurrent users; an arrival over the cap is dropped and counted. Without it the cap
 * is generous (DEFAULT_MAX_VUSERS), as Artillery has none.
 */
import type { PhaseModel } from './model.ts';

export const DEFAULT_MAX_VUSERS = 10_000;
/** How long a user still running when its phase (and the test) ends may go on. */
export const GRACEFUL_STOP = '60s';

export interface PhaseScenario {
  executor: 'constant-arrival-rate' | 'ramping-arrival-rate';
  rate?: number;
  timeUnit?: string;
  duration?: string;
  startRate?: number;
  stages?: { duration: string; target: number }[];
  maxVUs: number;
  startTime?: string;
  gracefulStop: string;
}

export interface PhasePlan {
  /** loadproof scenario name: the phase's name made safe, or phase-N. */
  name: string;
  path: string;
  scenario: PhaseScenario;
  /** Arrivals of the phases before it: numbers this phase's first arrival in the whole run. */
  firstArrival: number;
  arrivals: number;
}

export const seconds = (s: number): string => `${Number(s.toFixed(6))}s`;

/**
 * Arrivals a phase starts, as loadproof's pacer counts them from the integral of its rate: rounded
 * up at a constant rate (constant-arrival-rate), down on a ramp (ramping-arrival-rate, as in k6).
 */
export function arrivalsOf(p: PhaseModel): number {
  if (p.pause) return 0;
  if (p.arrivalCount !== undefined) return Math.max(0, Math.ceil(p.arrivalCount - 1e-9));
  const integral = (((p.arrivalRate ?? 0) + (p.rampTo ?? p.arrivalRate ?? 0)) / 2) * p.durationSec;
  const ramp = p.rampTo !== undefined && p.rampTo !== p.arrivalRate;
  return Math.max(0, ramp ? Math.floor(integral + 1e-9) : Math.ceil(integral - 1e-9));
}

function safeName(name: string): string {
  return name
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

export function phasePlans(phases: readonly PhaseModel[]): PhasePlan[] {
  const out: PhasePlan[] = [];
  const used = new Set<string>();
  let startSec = 0;
  let arrivals = 0;
  phases.forEach((p, i) => {
    const begin = startSec;
    startSec += p.durationSec;
    if (p.pause) return;
    let name = (p.name && safeName(p.name)) || `phase-${i + 1}`;
    if (used.has(name)) {
      let k = 2;
      while (used.has(`${name}-${k}`)) k++;
      name = `${name}-${k}`;
    }
    used.add(name);
    const common = {
      maxVUs: p.maxVusers ?? DEFAULT_MAX_VUSERS,
      ...(begin > 0 ? { startTime: seconds(begin) } : {}),
      gracefulStop: GRACEFUL_STOP,
    };
    let scenario: PhaseScenario;
    if (p.arrivalCount !== undefined) {
      scenario = {
        executor: 'constant-arrival-rate',
        rate: p.arrivalCount,
        timeUnit: seconds(p.durationSec),
        duration: seconds(p.durationSec),
        ...common,
      };
    } else if (p.rampTo !== undefined && p.rampTo !== p.arrivalRate) {
      scenario = {
        executor: 'ramping-arrival-rate',
        startRate: p.arrivalRate ?? 0,
        stages: [{ duration: seconds(p.durationSec), target: p.rampTo }],
        ...common,
      };
    } else {
      scenario = {
        executor: 'constant-arrival-rate',
        rate: p.arrivalRate ?? 0,
        duration: seconds(p.durationSec),
        ...common,
      };
    }
    const n = arrivalsOf(p);
    out.push({ name, path: p.path, scenario, firstArrival: arrivals, arrivals: n });
    arrivals += n;
  });
  return out;
}
