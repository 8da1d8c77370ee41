/**
 * Turns what a user wrote into a `Plan`, or a `PlanValidationError` listing every problem with
 * its path (`scenarios.main.rate: expected a positive number`). Nothing here sends load.
 */
import { PlanValidationError, ThresholdSyntaxError } from '../errors.ts';
import { DEFAULT_MAX_DURATION_MS, EXECUTOR_NAMES, EXECUTORS, isExecutorName } from '../executors/index.ts';
import { parseMetricKey } from '../metrics/keys.ts';
import { BUILTIN_METRICS, type MetricType } from '../metrics/names.ts';
import { criticalProblem } from '../verdict/critical-level.ts';
import { DEFAULT_THRESHOLDS } from '../verdict/default-thresholds.ts';
import { AGGREGATIONS_BY_TYPE, parseThreshold } from '../verdict/threshold-parser.ts';
import { boundedRate, duration, positiveNumber } from './fields.ts';
import { HTTP_PROTOCOL_KEYS, httpProtocolOptions } from './http-protocol-options.ts';
import { Issues, isObject, planIssues, typeName } from './issues.ts';
import { LIMITS } from './limits.ts';
import type {
  CheckSpec,
  DataInput,
  Plan,
  Scenario,
  ScenarioConfig,
  ThresholdSpec,
  WeightedFlow,
} from './types.ts';
import { validityOf } from './validity.ts';

const COMMON_KEYS = ['executor', 'flow', 'startTime', 'gracefulStop', 'tags'];
const PLAN_KEYS = [
  'name',
  'target',
  'headers',
  'scenarios',
  'thresholds',
  'checks',
  'data',
  'http',
  'setup',
  'teardown',
  'setupTimeout',
  'teardownTimeout',
  'handleSummary',
  'metrics',
  'flow',
  'validity',
];
const SCENARIO_NAME = /^[A-Za-z0-9_.-]+$/;
/** The name of the one scenario a plan with a top-level flow gets, as k6's. */
export const DEFAULT_SCENARIO = 'default';

function stringRecord(issues: Issues, path: string, v: unknown): Record<string, string> {
  if (v === undefined) return {};
  if (!isObject(v)) {
    issues.error(path, `expected an object of strings, got ${typeName(v)}`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    const text = issues.string(`${path}.${k}`, val);
    if (text !== undefined) out[k] = text;
  }
  return out;
}

function flows(issues: Issues, path: string, v: unknown): WeightedFlow[] {
  if (typeof v === 'function') return [{ name: 'default', weight: 1, flow: v as WeightedFlow['flow'] }];
  if (!Array.isArray(v) || v.length === 0) {
    issues.error(path, `expected an async function (vu) => {...} or an array of { name, weight, flow }`);
    return [];
  }
  const names = new Set<string>();
  const mix = v.map((f, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(f)) {
      issues.error(p, `expected { name, weight, flow }, got ${typeName(f)}`);
      return { name: String(i), weight: 1, flow: () => {} };
    }
    issues.unknownKeys(p, f, ['name', 'weight', 'flow']);
    const name = typeof f.name === 'string' && f.name ? f.name : String(i);
    if (typeof f.name !== 'string' || !f.name) issues.error(`${p}.name`, 'expected a non-empty string');
    else if (names.has(name)) issues.error(`${p}.name`, `duplicate flow name "${name}"`);
    names.add(name);
    if (typeof f.flow !== 'function')
      issues.error(`${p}.flow`, `expected a function, got ${typeName(f.flow)}`);
    return {
      name,
      weight: positiveNumber(issues, `${p}.weight`, f.weight, { integer: true }),
      flow: f.flow as WeightedFlow['flow'],
    };
  });
  issues.weightsCycle(
    path,
    mix.map((f) => f.weight),
  );
  return mix;
}

function scenarioConfig(issues: Issues, p: string, s: Record<string, unknown>): ScenarioConfig | undefined {
  const executor = s.executor;
  if (!isExecutorName(executor)) {
    issues.error(
      `${p}.executor`,
      `unknown executor ${typeName(executor)}; expected one of ${EXECUTOR_NAMES.join(', ')}`,
    );
    return undefined;
  }
  const definition = EXECUTORS[executor];
  issues.unknownKeys(p, s, [...COMMON_KEYS, ...definition.keys]);
  const timeUnitMs = duration(issues, `${p}.timeUnit`, s.timeUnit, 1000, { positive: true });
  const perSec = (path: string, rate: number) =>
    timeUnitMs > 0 ? boundedRate(issues, path, (rate * 1000) / timeUnitMs) : 0;
  return definition.validate({ issues, path: p, input: s, perSec });
}

function thresholdsOf(
  issues: Issues,
  v: unknown,
  metricTypes: Record<string, MetricType>,
  scenarioNames: Set<string>,
): ThresholdSpec[] {
  if (v === undefined) return [...DEFAULT_THRESHOLDS];
  if (!isObject(v)) {
    issues.error('thresholds', `expected an object { metric: [expressions] }, got ${typeName(v)}`);
    return [];
  }
  const out: ThresholdSpec[] = [];
  for (const [key, raw] of Object.entries(v)) {
    const p = `thresholds["${key}"]`;
    let metricKey: ReturnType<typeof parseMetricKey>;
    try {
      metricKey = parseMetricKey(key);
    } catch (e) {
      issues.error(p, (e as Error).message);
      continue;
    }
    const type = metricTypes[metricKey.metric];
    if (!type) {
      issues.error(
        p,
        `unknown metric "${metricKey.metric}": not a built-in metric and not declared in the plan's metrics`,
      );
      continue;
    }
    for (const [tag, value] of metricKey.filters) {
      if (tag === 'scenario' && !scenarioNames.has(value)) {
        issues.error(p, `no scenario named "${value}" (scenarios: ${[...scenarioNames].join(', ')})`);
      }
    }
    const list = Array.isArray(raw) ? raw : [raw];
    list.forEach((item, i) => {
      const ip = `${p}[${i}]`;
      const obj = typeof item === 'string' ? { threshold: item } : item;
      if (!isObject(obj) || typeof obj.threshold !== 'string') {
        issues.error(
          ip,
          `expected an expression string or { threshold, critical?, abortOnFail? }, got ${typeName(item)}`,
        );
        return;
      }
      issues.unknownKeys(ip, obj, ['threshold', 'critical', 'abortOnFail', 'delayAbortEval']);
      const exprs = [obj.threshold, ...(obj.critical === undefined ? [] : [obj.critical])];
      let failed = false;
      for (const [j, expr] of exprs.entries()) {
        const ep = j === 0 ? ip : `${ip}.critical`;
        try {
          if (typeof expr !== 'string')
            throw new ThresholdSyntaxError(`expected a string, got ${typeName(expr)}`);
          const parsed = parseThreshold(expr);
          const allowed = AGGREGATIONS_BY_TYPE[type] as readonly string[];
          if (!allowed.includes(parsed.aggregation.kind)) {
            throw new ThresholdSyntaxError(
              `"${expr}": ${parsed.aggregation.kind === 'percentile' ? 'p(N)' : parsed.aggregation.kind} does not apply to ${type} metric ${metricKey.metric} (use ${allowed.map((a) => (a === 'percentile' ? 'p(N)' : a)).join(', ')})`,
            );
          }
        } catch (e) {
          issues.error(ep, (e as Error).message);
          failed = true;
        }
      }
      if (!failed && typeof obj.critical === 'string') {
        const problem = criticalProblem(
          parseThreshold(obj.threshold as string),
          parseThreshold(obj.critical),
        );
        if (problem) {
          issues.error(`${ip}.critical`, problem);
          failed = true;
        }
      }
      if (obj.abortOnFail !== undefined) issues.boolean(`${ip}.abortOnFail`, obj.abortOnFail);
      if (failed) return;
      out.push({
        key,
        expression: obj.threshold as string,
        ...(typeof obj.critical === 'string' ? { critical: obj.critical } : {}),
        abortOnFail: obj.abortOnFail === true,
        delayAbortEvalMs: duration(issues, `${ip}.delayAbortEval`, obj.delayAbortEval, 0),
      });
    });
  }
  return out;
}

function checksOf(issues: Issues, v: unknown): CheckSpec[] {
  if (v === undefined) return [];
  if (!isObject(v)) {
    issues.error(
      'checks',
      `expected an object { name: { run, every?, before?, after? } }, got ${typeName(v)}`,
    );
    return [];
  }
  const out: CheckSpec[] = [];
  for (const [name, c] of Object.entries(v)) {
    const p = `checks.${name}`;
    if (!isObject(c)) {
      issues.error(p, `expected { run, every?, before?, after? }, got ${typeName(c)}`);
      continue;
    }
    issues.unknownKeys(p, c, ['run', 'before', 'every', 'after', 'description']);
    if (typeof c.run !== 'function') issues.error(`${p}.run`, `expected a function, got ${typeName(c.run)}`);
    for (const b of ['before', 'after'] as const) {
      if (c[b] !== undefined) issues.boolean(`${p}.${b}`, c[b]);
    }
    const everyMs = c.every === undefined ? undefined : duration(issues, `${p}.every`, c.every);
    if (everyMs !== undefined && everyMs < 100) issues.error(`${p}.every`, 'must be at least 100ms');
    out.push({
      name,
      run: c.run as CheckSpec['run'],
      before: c.before === true,
      ...(everyMs !== undefined ? { everyMs } : {}),
      after: c.after !== false,
      ...(typeof c.description === 'string' ? { description: c.description } : {}),
    });
  }
  return out;
}

function dataOf(issues: Issues, v: unknown): Record<string, DataInput> {
  if (v === undefined) return {};
  if (!isObject(v)) {
    issues.error('data', `expected an object { name: array | { file } }, got ${typeName(v)}`);
    return {};
  }
  const out: Record<string, DataInput> = {};
  for (const [name, d] of Object.entries(v)) {
    if (Array.isArray(d)) out[name] = d;
    else if (isObject(d) && typeof d.file === 'string') {
      issues.unknownKeys(`data.${name}`, d, ['file', 'format']);
      if (d.format !== undefined && d.format !== 'json' && d.format !== 'csv') {
        issues.error(`data.${name}.format`, `expected "json" or "csv", got ${typeName(d.format)}`);
      }
      out[name] = d as DataInput;
    } else issues.error(`data.${name}`, `expected an array or { file, format? }, got ${typeName(d)}`);
  }
  return out;
}

export function validatePlan(input: unknown, file?: string): Plan {
  const issues = new Issues();
  if (!isObject(input)) {
    throw new PlanValidationError(
      [
        {
          path: '(plan)',
          message: `expected a plan object (export default definePlan({...})), got ${typeName(input)}`,
        },
      ],
      file,
    );
  }
  issues.unknownKeys('', input, PLAN_KEYS);

  let target = '';
  if (typeof input.target !== 'string')
    issues.error('target', `expected a base URL like http://127.0.0.1:8080, got ${typeName(input.target)}`);
  else target = issues.baseUrl('target', input.target);

  const metricTypes: Record<string, MetricType> = { ...BUILTIN_METRICS };
  if (input.metrics !== undefined) {
    if (!isObject(input.metrics))
      issues.error('metrics', `expected { name: "trend" | "counter" | "rate" | "gauge" }`);
    else
      for (const [name, t] of Object.entries(input.metrics)) {
        if (t !== 'trend' && t !== 'counter' && t !== 'rate' && t !== 'gauge') {
          issues.error(
            `metrics.${name}`,
            `expected "trend", "counter", "rate" or "gauge", got ${typeName(t)}`,
          );
        } else if (name in BUILTIN_METRICS) issues.error(`metrics.${name}`, 'is a built-in metric');
        else metricTypes[name] = t;
      }
  }

  const scenarios: Scenario[] = [];
  if (input.flow !== undefined && input.scenarios !== undefined) {
    issues.error('flow', 'a plan has a top-level flow or scenarios, not both (put the flow in a scenario)');
  } else if (input.flow !== undefined) {
    // k6's default function: one scenario, one VU, one iteration, unless --vus or --duration say
    // otherwise (plan/overrides.ts).
    scenarios.push({
      name: DEFAULT_SCENARIO,
      config: {
        executor: 'per-vu-iterations',
        vus: 1,
        iterations: 1,
        maxDurationMs: DEFAULT_MAX_DURATION_MS,
      },
      flows: flows(issues, 'flow', input.flow),
      startTimeMs: 0,
      gracefulStopMs: 30_000,
      tags: {},
      implicit: true,
    });
  } else if (!isObject(input.scenarios) || Object.keys(input.scenarios).length === 0) {
    issues.error(
      'scenarios',
      `expected at least one scenario { name: { executor, ..., flow } } (or a top-level flow), got ${typeName(input.scenarios)}`,
    );
  } else {
    for (const [name, s] of Object.entries(input.scenarios)) {
      const p = `scenarios.${name}`;
      if (!SCENARIO_NAME.test(name))
        issues.error(p, 'scenario names may hold only letters, digits, "_", "-" and "."');
      if (!isObject(s)) {
        issues.error(p, `expected a scenario object, got ${typeName(s)}`);
        continue;
      }
      const config = scenarioConfig(issues, p, s);
      const fl = flows(issues, `${p}.flow`, s.flow);
      if (!config) continue;
      scenarios.push({
        name,
        config,
        flows: fl,
        startTimeMs: duration(issues, `${p}.startTime`, s.startTime, 0),
        gracefulStopMs: duration(issues, `${p}.gracefulStop`, s.gracefulStop, 30_000),
        tags: stringRecord(issues, `${p}.tags`, s.tags),
      });
    }
  }

  const http = isObject(input.http) ? input.http : {};
  if (input.http !== undefined) {
    if (!isObject(input.http))
      issues.error(
        'http',
        `expected { timeout?, connections?, pipelining?, ${HTTP_PROTOCOL_KEYS.join('?, ')}? }`,
      );
    else
      issues.unknownKeys('http', input.http, ['timeout', 'connections', 'pipelining', ...HTTP_PROTOCOL_KEYS]);
  }
  const plan: Plan = {
    name: typeof input.name === 'string' ? input.name : file ? (file.split('/').pop() ?? 'plan') : 'plan',
    target,
    headers: stringRecord(issues, 'headers', input.headers),
    scenarios,
    thresholds: thresholdsOf(issues, input.thresholds, metricTypes, new Set(scenarios.map((s) => s.name))),
    checks: checksOf(issues, input.checks),
    data: dataOf(issues, input.data),
    http: {
      timeoutMs: duration(issues, 'http.timeout', http.timeout, 60_000),
      ...(http.connections !== undefined
        ? {
            connections: positiveNumber(issues, 'http.connections', http.connections, {
              integer: true,
              max: LIMITS.vus,
            }),
          }
        : {}),
      pipelining:
        http.pipelining === undefined
          ? 1
          : positiveNumber(issues, 'http.pipelining', http.pipelining, { integer: true }),
      ...httpProtocolOptions(http, target, (path, message) => issues.error(path, message)),
    },
    metricTypes,
  };
  const validity = validityOf(issues, 'validity', input.validity);
  if (validity) plan.validity = validity;
  if (input.name !== undefined) issues.string('name', input.name);
  for (const hook of ['setup', 'teardown', 'handleSummary'] as const) {
    if (input[hook] !== undefined && typeof input[hook] !== 'function')
      issues.error(hook, `expected a function, got ${typeName(input[hook])}`);
    else if (input[hook])
      plan[hook] = input[hook] as Plan['setup'] & Plan['teardown'] & Plan['handleSummary'];
  }
  for (const [key, field] of [
    ['setupTimeout', 'setupTimeoutMs'],
    ['teardownTimeout', 'teardownTimeoutMs'],
  ] as const)
    if (input[key] !== undefined)
      plan[field] = duration(issues, key, input[key], undefined, { positive: true });
  if (issues.errors.length) throw new PlanValidationError(planIssues(issues.errors), file);
  return plan;
}
