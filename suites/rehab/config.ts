/**
 * The rehab suite's configuration: `suites/rehab/config.json` (or the file REHAB_CONFIG names),
 * read and checked whenever a plan or script loads it; every plan takes its sizes, rates,
 * durations and thresholds from here. BASE_URL overrides `baseUrl`; LOADPROOF_PROFILE picks the
 * profile (`quick` or `full`, default full). A wrong field is named with its path.
 */
import { readFileSync } from 'node:fs';
import { parseDurationMs } from 'loadproof';

export interface Level {
  target: number;
  critical: number;
}

export interface Profile {
  smoke: { vus: number; duration: string };
  load: { eventsPerSecond: number; duration: string; mixedVUs: number };
  sustained: { vus: number; duration: string };
  burst: { base: number; peak: number; rampSeconds: number; holdSeconds: number };
  capacity: { from: number; to: number; duration: string };
  backpressure: { eventsPerSecond: number; batchSize: number; duration: string };
}

export interface RehabSuiteConfig {
  file: string;
  baseUrl: string;
  patients: number;
  therapists: number;
  repsPerSession: { min: number; max: number };
  /** Device think time between two reps of a session. */
  repIntervalMs: number;
  /** Every Nth session of a patient also reports an alert. */
  alertEverySessions: number;
  thresholds: {
    apiP95Ms: Level;
    errorRate: Level;
    eventsPerSecond: Level;
    projectionLagP95Ms: Level;
    batchLatencyMs: Level;
    phaseP95Ms: { sustained: number; burst: number; capacity: number };
  };
  profileName: 'quick' | 'full';
  profile: Profile;
}

export const DEFAULT_CONFIG_FILE = new URL('./config.json', import.meta.url).pathname;

export class ConfigError extends Error {}

type Json = Record<string, unknown>;

class Reader {
  constructor(private readonly file: string) {}

  fail(path: string, message: string): never {
    throw new ConfigError(`${this.file}: ${path}: ${message}`);
  }

  object(v: unknown, path: string): Json {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'expected an object');
    return v as Json;
  }

  number(o: Json, key: string, path: string, min = 0, integer = false): number {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v)))
      this.fail(
        `${path}.${key}`,
        `expected ${integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(v)}`,
      );
    return v;
  }

  duration(o: Json, key: string, path: string): string {
    const v = o[key];
    const ms = parseDurationMs(v);
    if (typeof v !== 'string' || ms === undefined || ms <= 0)
      this.fail(`${path}.${key}`, `expected a duration such as "10s" or "5m", got ${JSON.stringify(v)}`);
    return v;
  }

  level(o: Json, key: string, path: string): Level {
    const l = this.object(o[key], `${path}.${key}`);
    return {
      target: this.number(l, 'target', `${path}.${key}`),
      critical: this.number(l, 'critical', `${path}.${key}`),
    };
  }
}

export function readRehabConfig(
  file = process.env.REHAB_CONFIG ?? DEFAULT_CONFIG_FILE,
  profileName: 'quick' | 'full' = process.env.LOADPROOF_PROFILE === 'quick' ? 'quick' : 'full',
): RehabSuiteConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file}: cannot read the suite's configuration: ${(e as Error).message}`);
  }
  const r: Reader = new Reader(file);
  const c = r.object(raw, '(top level)');
  const baseUrl = process.env.BASE_URL ?? c.baseUrl;
  if (typeof baseUrl !== 'string' || !/^https?:\/\/[^/]+/.test(baseUrl))
    r.fail(
      process.env.BASE_URL ? 'BASE_URL (environment)' : 'baseUrl',
      `expected an http(s) URL, got ${JSON.stringify(baseUrl)}`,
    );
  const reps = r.object(c.repsPerSession, 'repsPerSession');
  const repsPerSession = {
    min: r.number(reps, 'min', 'repsPerSession', 1, true),
    max: r.number(reps, 'max', 'repsPerSession', 1, true),
  };
  if (repsPerSession.max < repsPerSession.min) r.fail('repsPerSession.max', 'must be >= repsPerSession.min');
  const t = r.object(c.thresholds, 'thresholds');
  const phase = r.object(t.phaseP95Ms, 'thresholds.phaseP95Ms');
  const profiles = r.object(c.profiles, 'profiles');
  const pPath = `profiles.${profileName}`;
  const p = r.object(profiles[profileName], pPath);
  const section = (name: string) => r.object(p[name], `${pPath}.${name}`);
  const smoke = section('smoke');
  const load = section('load');
  const sustained = section('sustained');
  const burst = section('burst');
  const capacity = section('capacity');
  const bp = section('backpressure');
  const patients = r.number(c, 'patients', '(top level)', 1, true);
  const therapists = r.number(c, 'therapists', '(top level)', 1, true);
  if (therapists > patients) r.fail('therapists', 'cannot exceed patients (each therapist needs patients)');
  const batchSize = r.number(bp, 'batchSize', `${pPath}.backpressure`, 1, true);
  if (batchSize > 500)
    r.fail(`${pPath}.backpressure.batchSize`, 'the service takes at most 500 events per batch');
  return {
    file,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    patients,
    therapists,
    repsPerSession,
    repIntervalMs: r.number(c, 'repIntervalMs', '(top level)'),
    alertEverySessions: r.number(c, 'alertEverySessions', '(top level)', 1, true),
    thresholds: {
      apiP95Ms: r.level(t, 'apiP95Ms', 'thresholds'),
      errorRate: r.level(t, 'errorRate', 'thresholds'),
      eventsPerSecond: r.level(t, 'eventsPerSecond', 'thresholds'),
      projectionLagP95Ms: r.level(t, 'projectionLagP95Ms', 'thresholds'),
      batchLatencyMs: r.level(t, 'batchLatencyMs', 'thresholds'),
      phaseP95Ms: {
        sustained: r.number(phase, 'sustained', 'thresholds.phaseP95Ms'),
        burst: r.number(phase, 'burst', 'thresholds.phaseP95Ms'),
        capacity: r.number(phase, 'capacity', 'thresholds.phaseP95Ms'),
      },
    },
    profileName,
    profile: {
      smoke: {
        vus: r.number(smoke, 'vus', `${pPath}.smoke`, 1, true),
        duration: r.duration(smoke, 'duration', `${pPath}.smoke`),
      },
      load: {
        eventsPerSecond: r.number(load, 'eventsPerSecond', `${pPath}.load`, 1),
        duration: r.duration(load, 'duration', `${pPath}.load`),
        mixedVUs: r.number(load, 'mixedVUs', `${pPath}.load`, 1, true),
      },
      sustained: {
        vus: r.number(sustained, 'vus', `${pPath}.sustained`, 1, true),
        duration: r.duration(sustained, 'duration', `${pPath}.sustained`),
      },
      burst: {
        base: r.number(burst, 'base', `${pPath}.burst`, 1),
        peak: r.number(burst, 'peak', `${pPath}.burst`, 1),
        rampSeconds: r.number(burst, 'rampSeconds', `${pPath}.burst`, 1),
        holdSeconds: r.number(burst, 'holdSeconds', `${pPath}.burst`, 1),
      },
      capacity: {
        from: r.number(capacity, 'from', `${pPath}.capacity`, 1),
        to: r.number(capacity, 'to', `${pPath}.capacity`, 1),
        duration: r.duration(capacity, 'duration', `${pPath}.capacity`),
      },
      backpressure: {
        eventsPerSecond: r.number(bp, 'eventsPerSecond', `${pPath}.backpressure`, 1),
        batchSize,
        duration: r.duration(bp, 'duration', `${pPath}.backpressure`),
      },
    },
  };
}
