import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlanValidationError } from '../../src/errors.ts';
import { validatePlan } from '../../src/plan/validate.ts';

const flow = async () => {};
const base = () => ({
  target: 'http://127.0.0.1:8080',
  scenarios: {
    main: { executor: 'constant-arrival-rate', rate: 200, duration: '5s', maxVUs: 50, flow },
  },
});

function issuesOf(input: unknown): string[] {
  try {
    validatePlan(input);
  } catch (e) {
    assert.ok(e instanceof PlanValidationError, `expected PlanValidationError, got ${e}`);
    assert.equal(e.exitCode, 2);
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('plan was accepted');
}

describe('plan validation', () => {
  it('normalizes a valid plan: durations in ms, rates per second, defaults', () => {
    const plan = validatePlan({
      ...base(),
      thresholds: { http_req_duration: ['p(95)<100'], 'http_req_failed{scenario:main}': 'rate<0.01' },
    });
    assert.deepEqual(plan.scenarios[0]?.config, {
      executor: 'constant-arrival-rate',
      ratePerSec: 200,
      durationMs: 5000,
      maxVUs: 50,
      preAllocatedVUs: 1,
      onSaturation: 'drop',
    });
    assert.equal(plan.scenarios[0]?.gracefulStopMs, 30_000);
    assert.equal(plan.thresholds.length, 2);
    assert.equal(plan.http.timeoutMs, 60_000);
  });

  it('timeUnit turns a rate into a per-second rate', () => {
    const plan = validatePlan({
      ...base(),
      scenarios: {
        m: { executor: 'constant-arrival-rate', rate: 30, timeUnit: '1m', duration: 60, maxVUs: 2, flow },
      },
    });
    const config = plan.scenarios[0]?.config;
    assert.equal(config?.executor === 'constant-arrival-rate' ? config.ratePerSec : undefined, 0.5);
  });

  it('names a negative rate by its path', () => {
    const p = base();
    (p.scenarios.main as { rate: number }).rate = -5;
    assert.deepEqual(issuesOf(p), ['scenarios.main.rate: expected a positive number, got number -5']);
  });

  it('reports every problem at once, not the first', () => {
    const issues = issuesOf({
      target: 'ftp://x',
      colour: 'red',
      scenarios: {
        a: { executor: 'constant-vus', vus: 0, duration: 'soon', flow },
        b: { executor: 'warp-speed', flow },
        c: { executor: 'per-vu-iterations', vus: 1, iterations: 2, flow: 'not a function' },
      },
      thresholds: {
        http_req_duration: ['p95<100'],
        nope_metric: ['count>1'],
        'checks{scenario:zzz}': ['rate>0.9'],
      },
    });
    assert.deepEqual(issues.sort(), [
      'colour: unknown key',
      'scenarios.a.duration: expected a duration like "30s", "500ms", "5m" or a number of seconds, got string "soon"',
      'scenarios.a.vus: expected a positive integer, got number 0',
      'scenarios.b.executor: unknown executor string "warp-speed"; expected one of constant-arrival-rate, ramping-arrival-rate, constant-vus, ramping-vus, per-vu-iterations, shared-iterations',
      'scenarios.c.flow: expected an async function (vu) => {...} or an array of { name, weight, flow }',
      'target: expected an http(s) URL, got "ftp://x"',
      'thresholds["checks{scenario:zzz}"]: no scenario named "zzz" (scenarios: a, c)',
      'thresholds["http_req_duration"][0]: malformed threshold "p95<100": expected <aggregation> <operator> <number>, e.g. p(95)<200, rate<0.01, count>=100',
      'thresholds["nope_metric"]: unknown metric "nope_metric": not a built-in metric and not declared in the plan\'s metrics',
    ]);
  });

  it('suggests the right spelling of a mistyped key', () => {
    const p = base() as Record<string, any>;
    p.scenarios.main.maxVus = 3;
    assert.ok(issuesOf(p).includes('scenarios.main.maxVus: unknown key (did you mean "maxVUs"?)'));
  });

  it('accepts thresholds on declared custom metrics, with the aggregations of their type', () => {
    const plan = validatePlan({
      ...base(),
      metrics: { projection_lag: 'trend', backpressure: 'counter' },
      thresholds: {
        projection_lag: [{ threshold: 'p(95)<100', critical: 'p(95)<1000' }],
        backpressure: ['count<10'],
      },
    });
    assert.equal(plan.thresholds[0]?.critical, 'p(95)<1000');
    const issues = issuesOf({ ...base(), metrics: { lag: 'trend' }, thresholds: { lag: ['rate<0.1'] } });
    assert.match(issues[0] ?? '', /rate does not apply to trend metric lag/);
  });

  it('weighted flows need names, positive integer weights and functions', () => {
    const p = base() as Record<string, any>;
    p.scenarios.main.flow = [
      { name: 'reserve', weight: 70, flow },
      { name: 'reserve', weight: 0.5, flow },
      { weight: 10, flow: 3 },
    ];
    assert.deepEqual(issuesOf(p).sort(), [
      'scenarios.main.flow[1].name: duplicate flow name "reserve"',
      'scenarios.main.flow[1].weight: expected a positive integer, got number 0.5',
      'scenarios.main.flow[2].flow: expected a function, got number 3',
      'scenarios.main.flow[2].name: expected a non-empty string',
    ]);
  });

  it('rejects a plan that is not an object', () => {
    assert.match(issuesOf(undefined)[0] ?? '', /expected a plan object/);
  });
});
