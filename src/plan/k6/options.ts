/**
 * k6's `options` → the plan's scenarios, thresholds and headers, in k6 v0.47's terms: the
 * shortcuts (`vus`, `duration`, `iterations`, `stages`) become a scenario named `default` as k6
 * derives it; `scenarios` keep their executors and common options (`exec`, `startTime`,
 * `gracefulStop`, `env`, `tags`); thresholds keep k6's syntax. What loadproof does not support
 * is an issue naming it. Values are checked again by the plan's own validation.
 *
 * The issues are a small local list, to move to the shared plan validation toolkit later.
 */

import { EXECUTOR_NAMES, EXECUTORS, isExecutorName } from '../../executors/index.ts';
import { parseDurationMs } from '../duration.ts';
import { Issues } from '../issues.ts';
import type { ThresholdInput, ValidityInput } from '../types.ts';
import { validityOf } from '../validity.ts';

export interface OptionIssue {
  /** Where in `options`, e.g. ['scenarios', 'browse', 'executor']. */
  path: string[];
  message: string;
}

export interface K6Scenario {
  /** The scenario as the plan takes it, without its flow. */
  scenario: Record<string, unknown>;
  /** The exported function it runs. */
  exec: string;
  /** Its `env`, over the test's. */
  env: Record<string, string>;
}

export interface ConvertedOptions {
  scenarios: Record<string, K6Scenario>;
  thresholds?: Record<string, ThresholdInput[]>;
  headers: Record<string, string>;
  discardResponseBodies: boolean;
  /** k6's insecureSkipTLSVerify: the plan's http.insecureSkipTLSVerify. */
  insecureSkipTLSVerify: boolean;
  /** setup() and teardown() time limits, as durations (k6's default: 60s each). */
  setupTimeout: string;
  teardownTimeout: string;
  /** http.batch limits: requests at once, and to one host at once (k6's defaults 20 and 6; 0: none). */
  batch: number;
  batchPerHost: number;
  /** loadproof's run-validity limits (`options.validity`), as the plan key takes them. */
  validity?: ValidityInput;
  /** k6's maxRedirects: the plan's http.redirects (k6's default 10 when absent). */
  maxRedirects?: number;
  /** k6's tlsVersion, tlsCipherSuites and tlsAuth: the plan's http.tls (checked by the plan). */
  tls?: Record<string, unknown>;
  /** Options that only shape k6's own output, ignored here. */
  ignored: string[];
  /** What k6 warns about and runs anyway (`vus` alone), said the way the run says warnings. */
  warnings: string[];
  issues: OptionIssue[];
}

const SHORTCUTS = ['vus', 'duration', 'iterations', 'stages'];
const SUPPORTED = new Set([
  ...SHORTCUTS,
  'scenarios',
  'thresholds',
  'discardResponseBodies',
  'setupTimeout',
  'teardownTimeout',
  'userAgent',
  'tags',
  'batch',
  'batchPerHost',
  'insecureSkipTLSVerify',
  'maxRedirects',
  'tlsVersion',
  'tlsCipherSuites',
  'tlsAuth',
  // loadproof's own: the run-validity limits the script changes (k6 refuses unknown options).
  'validity',
]);
/** Options refused with the reason, rather than as merely unknown. */
const REFUSED: Record<string, string> = {
  noConnectionReuse:
    'noConnectionReuse is not supported: loadproof keeps its connections open and reuses them',
  noVUConnectionReuse:
    'noVUConnectionReuse is not supported: loadproof keeps its connections open and reuses them',
};
/** Options about k6's own summary and reporting: nothing to do with the load. */
const IGNORED = new Set(['summaryTrendStats', 'summaryTimeUnit', 'noUsageReport']);

const COMMON = ['executor', 'startTime', 'gracefulStop', 'exec', 'env', 'tags'];
/** The scenario keys of each executor that k6 has too: loadproof's registry without its own additions. */
export const K6_EXECUTOR_KEYS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  EXECUTOR_NAMES.map((name) => {
    const { keys, loadproofOnlyKeys = [] } = EXECUTORS[name];
    return [name, keys.filter((k) => !loadproofOnlyKeys.includes(k))];
  }),
);
const DURATION_KEYS = new Set(['duration', 'timeUnit', 'startTime', 'gracefulStop', 'maxDuration']);
const THRESHOLD_KEYS = new Set(['threshold', 'abortOnFail', 'delayAbortEval']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** k6 reads a bare number as milliseconds; loadproof as seconds. */
function duration(v: unknown): unknown {
  return typeof v === 'number' ? `${v}ms` : v;
}

function stagesOf(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  return v.map((s) => (isObject(s) ? { ...s, duration: duration(s.duration) } : s));
}

function scenarioOf(
  name: string,
  raw: Record<string, unknown>,
  testTags: Record<string, string>,
  issues: OptionIssue[],
): K6Scenario | undefined {
  const path = ['scenarios', name];
  const executor = raw.executor;
  if (executor === 'externally-controlled') {
    issues.push({
      path: [...path, 'executor'],
      message: 'the externally-controlled executor is not supported by loadproof',
    });
    return undefined;
  }
  if (!isExecutorName(executor)) {
    issues.push({
      path: [...path, 'executor'],
      message: `unknown executor ${JSON.stringify(executor)}; expected one of ${EXECUTOR_NAMES.join(', ')}`,
    });
    return undefined;
  }
  const keys = K6_EXECUTOR_KEYS[executor] ?? [];
  const scenario: Record<string, unknown> = { executor };
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'exec' || k === 'env' || k === 'executor' || k === 'tags') continue;
    if (!keys.includes(k) && !COMMON.includes(k)) {
      issues.push({ path: [...path, k], message: `"${k}" is not supported by loadproof for ${executor}` });
      continue;
    }
    scenario[k] = k === 'stages' ? stagesOf(v) : DURATION_KEYS.has(k) ? duration(v) : v;
  }
  // k6's defaults where loadproof has none or another.
  for (const [k, v] of Object.entries(EXECUTORS[executor].k6Defaults(scenario))) scenario[k] ??= v;
  const tags = raw.tags === undefined ? {} : raw.tags;
  if (!isObject(tags)) issues.push({ path: [...path, 'tags'], message: 'expected an object of tag values' });
  else
    scenario.tags = {
      ...testTags,
      ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, String(v)])),
    };
  const env = raw.env === undefined ? {} : raw.env;
  if (!isObject(env))
    issues.push({ path: [...path, 'env'], message: 'expected an object of environment values' });
  const exec = raw.exec === undefined ? 'default' : raw.exec;
  if (typeof exec !== 'string')
    issues.push({ path: [...path, 'exec'], message: 'expected the name of an exported function' });
  return {
    scenario,
    exec: String(exec),
    env: isObject(env) ? Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) : {},
  };
}

/** The scenario k6 derives from the shortcuts. */
function shortcutScenario(o: Record<string, unknown>, warnings: string[]): Record<string, unknown> {
  const vus = o.vus;
  if (o.stages !== undefined)
    return { executor: 'ramping-vus', startVUs: vus ?? 1, stages: stagesOf(o.stages) };
  if (o.iterations !== undefined)
    return {
      executor: 'shared-iterations',
      vus: vus ?? 1,
      iterations: o.iterations,
      maxDuration: duration(o.duration ?? '10m'),
    };
  if (o.duration !== undefined)
    return { executor: 'constant-vus', vus: vus ?? 1, duration: duration(o.duration) };
  // As k6: vus alone is ignored with a warning, and 1 VU runs 1 iteration.
  if (vus !== undefined && vus !== 1)
    warnings.push(
      `options.vus=${String(vus)} is ignored: it works only with iterations, duration or stages (1 VU runs 1 iteration, as in k6)`,
    );
  return { executor: 'shared-iterations', vus: 1, iterations: 1, maxDuration: '10m' };
}

/**
 * k6's TLS options as the plan's http.tls: `tlsVersion` one version (both ends) or
 * `{ min, max }`, `tlsCipherSuites` the suites' names, `tlsAuth` the client certificates. The
 * plan's validation checks the values and names the problems under http.tls.
 */
function tlsOf(o: Record<string, unknown>, issues: OptionIssue[]): Record<string, unknown> | undefined {
  const tls: Record<string, unknown> = {};
  const version = o.tlsVersion;
  if (typeof version === 'string') tls.minVersion = tls.maxVersion = version;
  else if (isObject(version)) {
    if (version.min !== undefined) tls.minVersion = version.min;
    if (version.max !== undefined) tls.maxVersion = version.max;
  } else if (version !== undefined)
    issues.push({ path: ['tlsVersion'], message: 'expected a version such as "tls1.2", or { min, max }' });
  if (o.tlsCipherSuites !== undefined) tls.cipherSuites = o.tlsCipherSuites;
  if (o.tlsAuth !== undefined) tls.clientCertificates = o.tlsAuth;
  return Object.keys(tls).length ? tls : undefined;
}

function thresholdsOf(raw: unknown, issues: OptionIssue[]): Record<string, ThresholdInput[]> | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) {
    issues.push({ path: ['thresholds'], message: 'expected an object of metric → threshold list' });
    return undefined;
  }
  const out: Record<string, ThresholdInput[]> = {};
  for (const [key, v] of Object.entries(raw)) {
    const list = Array.isArray(v) ? v : [v];
    out[key] = list.map((t, i) => {
      if (isObject(t)) {
        for (const k of Object.keys(t))
          if (!THRESHOLD_KEYS.has(k))
            issues.push({ path: ['thresholds', key], message: `threshold ${i}: "${k}" is not supported` });
        return {
          ...t,
          ...(t.delayAbortEval !== undefined ? { delayAbortEval: duration(t.delayAbortEval) } : {}),
        } as ThresholdInput;
      }
      return t as ThresholdInput;
    });
  }
  return out;
}

export function convertOptions(raw: unknown): ConvertedOptions {
  const issues: OptionIssue[] = [];
  const ignored: string[] = [];
  const o = raw === undefined ? {} : raw;
  const result: ConvertedOptions = {
    scenarios: {},
    headers: {},
    discardResponseBodies: false,
    insecureSkipTLSVerify: false,
    batch: 20,
    batchPerHost: 6,
    setupTimeout: '60s',
    teardownTimeout: '60s',
    ignored,
    warnings: [],
    issues,
  };
  if (!isObject(o)) {
    issues.push({ path: [], message: 'options must be an object' });
    return result;
  }
  for (const k of Object.keys(o)) {
    if (IGNORED.has(k)) ignored.push(k);
    else if (REFUSED[k]) issues.push({ path: [k], message: REFUSED[k] });
    else if (!SUPPORTED.has(k))
      issues.push({ path: [k], message: `the option "${k}" is not supported by loadproof yet` });
  }
  const testTags: Record<string, string> = {};
  if (o.tags !== undefined) {
    if (!isObject(o.tags)) issues.push({ path: ['tags'], message: 'expected an object of tag values' });
    else for (const [k, v] of Object.entries(o.tags)) testTags[k] = String(v);
  }
  if (o.userAgent !== undefined) result.headers['user-agent'] = String(o.userAgent);
  result.discardResponseBodies = o.discardResponseBodies === true;
  if (o.insecureSkipTLSVerify !== undefined && typeof o.insecureSkipTLSVerify !== 'boolean')
    issues.push({ path: ['insecureSkipTLSVerify'], message: 'expected true or false' });
  result.insecureSkipTLSVerify = o.insecureSkipTLSVerify === true;
  for (const k of ['batch', 'batchPerHost'] as const) {
    const v = o[k];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || (v as number) < 0)
      issues.push({
        path: [k],
        message: `expected a whole number of requests (0: no limit), got ${JSON.stringify(v)}`,
      });
    else result[k] = v as number;
  }
  if (o.maxRedirects !== undefined) {
    if (!Number.isInteger(o.maxRedirects) || (o.maxRedirects as number) < 0)
      issues.push({
        path: ['maxRedirects'],
        message: `expected a whole number of redirects (0: none followed), got ${JSON.stringify(o.maxRedirects)}`,
      });
    else result.maxRedirects = o.maxRedirects as number;
  }
  const tls = tlsOf(o, issues);
  if (tls) result.tls = tls;
  for (const k of ['setupTimeout', 'teardownTimeout'] as const) {
    const v = duration(o[k]);
    if (v === undefined) continue;
    if (typeof v !== 'string' || parseDurationMs(v) === undefined)
      issues.push({ path: [k], message: `expected a duration such as "30s", got ${JSON.stringify(o[k])}` });
    else result[k] = v;
  }
  if (o.validity !== undefined) {
    const found = new Issues();
    validityOf(found, 'validity', o.validity);
    for (const i of found.errors) issues.push({ path: i.path.split('.'), message: i.message });
    if (!found.errors.length) result.validity = o.validity as ValidityInput;
  }
  const thresholds = thresholdsOf(o.thresholds, issues);
  if (thresholds) result.thresholds = thresholds;

  if (o.scenarios !== undefined) {
    const shortcuts = SHORTCUTS.filter((k) => o[k] !== undefined);
    if (shortcuts.length)
      issues.push({
        path: [shortcuts[0] as string],
        message: `${shortcuts.join(', ')} and scenarios: write one or the other`,
      });
    if (!isObject(o.scenarios) || Object.keys(o.scenarios).length === 0) {
      issues.push({ path: ['scenarios'], message: 'expected an object of named scenarios' });
      return result;
    }
    for (const [name, s] of Object.entries(o.scenarios)) {
      if (!isObject(s)) {
        issues.push({ path: ['scenarios', name], message: 'expected a scenario object' });
        continue;
      }
      const sc = scenarioOf(name, s, testTags, issues);
      if (sc) result.scenarios[name] = sc;
    }
    return result;
  }
  const scenario = shortcutScenario(o, result.warnings);
  result.scenarios.default = { scenario: { ...scenario, tags: testTags }, exec: 'default', env: {} };
  return result;
}
