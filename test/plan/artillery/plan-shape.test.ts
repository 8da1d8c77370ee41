/**
 * From an Artillery script to the plan's shape, without running anything: phases as
 * arrival-rate scenarios, ensure as thresholds, Artillery's metric names mapped, problems named
 * by path (under the environment that brought them).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planShape } from '../../../src/plan/artillery/build.ts';
import { formatNumber, mapMetric } from '../../../src/plan/artillery/ensure.ts';
import { type ParseIssue, parseScript } from '../../../src/plan/artillery/parse.ts';
import { arrivalsOf } from '../../../src/plan/artillery/phases.ts';
import { validatePlan } from '../../../src/plan/validate.ts';

const parse = (config: Record<string, unknown>, environment?: string) =>
  parseScript(
    {
      config: { target: 'http://127.0.0.1:8080', ...config },
      scenarios: [{ flow: [{ get: { url: '/' } }] }],
    },
    { file: '/tmp/s.yml', env: { PORT: '9090' }, ...(environment ? { environment } : {}) },
  );

function shape(config: Record<string, unknown>) {
  const p = parse(config);
  assert.deepEqual(p.issues, []);
  const issues: ParseIssue[] = [];
  const s = planShape(p.model as NonNullable<typeof p.model>, issues);
  assert.deepEqual(issues, []);
  return s;
}

describe('artillery phases', () => {
  it('become one scenario per phase, in sequence, pauses as gaps', () => {
    const s = shape({
      phases: [
        { duration: 10, arrivalRate: 5, name: 'Warm up' },
        { duration: '1m', arrivalRate: 5, rampTo: 50, maxVusers: 100 },
        { pause: 30 },
        { duration: 20, arrivalCount: 40, name: 'Warm up' },
      ],
    });
    assert.deepEqual(
      s.phases.map((p) => [p.name, p.scenario, p.firstArrival, p.arrivals]),
      [
        [
          'Warm-up',
          { executor: 'constant-arrival-rate', rate: 5, duration: '10s', maxVUs: 10000, gracefulStop: '60s' },
          0,
          50,
        ],
        [
          'phase-2',
          {
            executor: 'ramping-arrival-rate',
            startRate: 5,
            stages: [{ duration: '60s', target: 50 }],
            maxVUs: 100,
            startTime: '10s',
            gracefulStop: '60s',
          },
          50,
          1650,
        ],
        [
          'Warm-up-2',
          {
            executor: 'constant-arrival-rate',
            rate: 40,
            timeUnit: '20s',
            duration: '20s',
            maxVUs: 10000,
            startTime: '100s',
            gracefulStop: '60s',
          },
          1700,
          40,
        ],
      ],
    );
  });

  it('count arrivals as the pacer does: the integral of the rate, rounded up, on a ramp down', () => {
    const base = { path: 'p', pause: false };
    assert.equal(arrivalsOf({ ...base, durationSec: 3, arrivalRate: 0, rampTo: 20 }), 30);
    assert.equal(arrivalsOf({ ...base, durationSec: 3, arrivalRate: 0, rampTo: 15 }), 22);
    assert.equal(arrivalsOf({ ...base, durationSec: 2.5, arrivalRate: 1 }), 3);
    assert.equal(arrivalsOf({ ...base, durationSec: 1, arrivalCount: 7 }), 7);
    assert.equal(arrivalsOf({ ...base, durationSec: 5, pause: true }), 0);
  });

  it('values may come from the environment: {{ $env.PORT }}', () => {
    const p = parse({
      target: 'http://127.0.0.1:{{ $env.PORT }}',
      phases: [{ duration: 1, arrivalRate: '{{ $env.PORT }}' }],
    });
    assert.deepEqual(p.issues, []);
    assert.equal(p.model?.target, 'http://127.0.0.1:9090');
    assert.equal(p.model?.targetSource, 'http://127.0.0.1:{{ $env.PORT }}');
    assert.equal(p.model?.phases[0]?.arrivalRate, 9090);
  });

  it('a target from an unset variable says which one to set', () => {
    const p = parse({ target: '{{ $env.CLINIC_URL }}', phases: [{ duration: 1, arrivalRate: 1 }] });
    assert.deepEqual(p.issues, [
      {
        path: 'config.target',
        message: '{{ $env.CLINIC_URL }}: CLINIC_URL is not set (set it, or pass --env CLINIC_URL=URL)',
      },
    ]);
  });

  it('a problem in what an environment brought is named under it', () => {
    const p = parse(
      {
        phases: [{ duration: 1, arrivalRate: 1 }],
        environments: { ci: { phases: [{ duration: 1, arrivalRate: -1 }] } },
      },
      'ci',
    );
    assert.deepEqual(p.issues, [
      {
        path: 'config.environments.ci.phases[0].arrivalRate',
        message: 'expected a non-negative number, got number -1',
      },
    ]);
  });
});

describe('artillery ensure', () => {
  it('the old form, thresholds and conditions become k6-style thresholds that validate', () => {
    const s = shape({
      phases: [{ duration: 1, arrivalRate: 1 }],
      ensure: {
        p95: 200,
        median: 50,
        maxErrorRate: 1.5,
        thresholds: [{ 'http.response_time.p99': 500 }, { 'my.latency.p90': 30 }],
        conditions: [
          { expression: 'http.request_rate >= 10 and 300 > http.response_time.max' },
          { expression: 'vusers.failed == 0 and http.codes.500 < 1', strict: false },
          { expression: 'orders_placed > 5' },
        ],
      },
    });
    assert.deepEqual(s.thresholds, {
      http_req_duration: ['p(95)<200', 'med<50', 'p(99)<500', 'max<300'],
      'vusers.failed': ['rate<=0.015', { threshold: 'count==0', critical: 'count>=0' }],
      'my.latency': ['p(90)<30'],
      http_reqs: ['rps>=10'],
      'http_reqs{status:500}': [{ threshold: 'count<1', critical: 'count>=0' }],
      orders_placed: ['count>5'],
    });
    assert.equal(s.metrics['my.latency'], 'trend');
    assert.equal(s.metrics.orders_placed, 'counter');
    const plan = validatePlan({
      target: s.target,
      metrics: s.metrics,
      thresholds: s.thresholds,
      scenarios: { a: { ...s.phases[0]?.scenario, flow: async () => {} } },
    });
    assert.equal(plan.thresholds.length, 10);
  });

  it("maps Artillery's metric names", () => {
    const m = (n: string) => {
      const r = mapMetric(n);
      return typeof r === 'string' ? r : `${r.key} ${r.aggregation}`;
    };
    assert.equal(m('http.response_time.p999'), 'http_req_duration p(99.9)');
    assert.equal(m('engine.http.response_time.mean'), 'http_req_duration avg');
    assert.equal(m('http.requests'), 'http_reqs count');
    assert.equal(m('http.codes.409'), 'http_reqs{status:409} count');
    assert.equal(m('core.vusers.created.total'), 'vusers.created count');
    assert.equal(m('vusers.skipped'), 'dropped_iterations count');
    assert.equal(m('vusers.session_length.p95'), 'iteration_duration p(95)');
    assert.equal(m('errors.ETIMEDOUT'), 'errors.ETIMEDOUT count');
    assert.equal(m('plugins.expect.failed'), 'plugins.expect.failed count');
    assert.match(m('http.responses'), /no loadproof equivalent/);
    assert.equal(formatNumber(0.000001), '0.000001');
  });
});

describe('artillery script checks', () => {
  it('expectations without the expect plugin are a warning; with it, a checks threshold', () => {
    const script = (plugins?: unknown) =>
      parseScript(
        {
          config: {
            target: 'http://h',
            phases: [{ duration: 1, arrivalRate: 1 }],
            ...(plugins ? { plugins } : {}),
          },
          scenarios: [{ flow: [{ get: { url: '/', expect: [{ statusCode: 200 }] } }] }],
        },
        { file: '/tmp/s.yml', env: {} },
      );
    const without = script();
    assert.deepEqual(
      without.warnings.map((w) => w.path),
      ['scenarios[0].flow[0].get.expect'],
    );
    const withPlugin = script({ expect: { outputFormat: 'json' } });
    assert.deepEqual(
      withPlugin.warnings.map((w) => w.path),
      ['config.plugins.expect.outputFormat'],
    );
    const issues: ParseIssue[] = [];
    assert.deepEqual(planShape(withPlugin.model as NonNullable<typeof withPlugin.model>, issues).thresholds, {
      checks: ['rate==1'],
    });
  });

  it('config.loadproof.checks: sql (with its url) or a processor function, named by path when wrong', () => {
    const p = parse({
      phases: [{ duration: 1, arrivalRate: 1 }],
      loadproof: {
        checks: {
          no_overbooking: { sql: 'SELECT 1 WHERE false', every: '10s' },
          both: { sql: 'SELECT 1', function: 'f' },
          neither: { every: 'soon' },
        },
      },
    });
    assert.deepEqual(
      p.issues.map((i) => i.path),
      [
        'config.loadproof.checks.both',
        'config.loadproof.checks.neither',
        'config.loadproof.checks.neither.every',
      ],
    );
  });

  it('config.loadproof.validity: the run-validity criteria by name, checked where written', () => {
    const ok = parse({
      phases: [{ duration: 1, arrivalRate: 1 }],
      loadproof: { validity: { maxMissedArrivals: '5%', minRequests: 0 } },
    });
    assert.deepEqual(ok.issues, []);
    assert.deepEqual(ok.model?.validity, { maxMissedArrivals: '5%', minRequests: 0 });
    const bad = parse({
      phases: [{ duration: 1, arrivalRate: 1 }],
      loadproof: { validity: { maxAborted: 2, shardsOnTim: false } },
    });
    assert.deepEqual(
      bad.issues.map((i) => `${i.path}: ${i.message}`),
      [
        'config.loadproof.validity.shardsOnTim: unknown key (did you mean "shardsOnTime"?)',
        'config.loadproof.validity.maxAborted: expected a percentage from "0%" to "100%" like "5%", got number 2',
      ],
    );
  });
});
