import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initHistograms } from '../../src/metrics/histogram.ts';
import { MetricStore } from '../../src/metrics/store.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { buildResults, redactUrl } from '../../src/run/build-results.ts';
import { verdictOf } from '../../src/verdict/verdict.ts';
import { assertMatchesSchema } from '../helpers/schema.ts';

before(() => initHistograms());

const plan = validatePlan({
  target: 'http://user:secret@127.0.0.1:8080/base?token=abc',
  scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '1s', flow: async () => {} } },
  thresholds: { http_req_duration: ['p(95)<100'] },
});

describe('results.json', () => {
  it('from metrics: magnitudes in ms, the target without secrets, a schema-valid file', () => {
    const store = new MetricStore();
    const keys = ['', 'scenario=s', 'scenario=s|GET /x'];
    for (let i = 1; i <= 100; i++) store.addTrend('http_req_duration', keys, i); // 1..100 ms
    store.addCounter('http_reqs', keys, 100);
    for (let i = 0; i < 100; i++) store.addStatus(keys, '200');
    for (let i = 0; i < 100; i++) store.addRate('http_req_failed', keys, false);
    store.setGauge('scenario_duration_ms', ['scenario=s'], 2000);
    const r = buildResults({
      plan,
      store,
      timeline: [],
      startedAt: new Date('2026-11-22T10:00:00Z'),
      durationMs: 2000,
      interrupted: false,
      workers: 1,
      thresholds: [],
      checks: [],
      version: '0.0.0',
    });
    assertMatchesSchema(r);
    assert.equal(r.plan.target, 'http://127.0.0.1:8080/base');
    assert.ok(!JSON.stringify(r).includes('secret'));
    const d = r.metrics.http_req_duration;
    assert.ok(d?.type === 'trend');
    // Milliseconds, not microseconds or seconds: the 95th of 1..100 ms is 95 ms.
    assert.ok(Math.abs(d.p95 - 95) < 0.1, `p95 ${d.p95}`);
    assert.ok(Math.abs(d.mean - 50.5) < 0.1, `mean ${d.mean}`);
    assert.equal(r.requests.rps, 50);
    assert.equal(r.scenarios.s?.endpoints[0]?.key, 'GET /x');
    assert.equal(r.endedAt, '2026-11-22T10:00:02.000Z');
    store.destroy();
  });

  it('the schema rejects what breaks the contract', () => {
    assert.throws(() => assertMatchesSchema({ schemaVersion: 1 }), /must have required property/);
  });

  it('verdict: FAIL and failed checks make NO-GO with reasons; WARN alone stays GO', () => {
    const pass = {
      metric: 'm',
      expression: 'p(95)<1',
      actual: 0.5,
      level: 'PASS',
      ok: true,
      abortOnFail: false,
    } as const;
    const warn = { ...pass, level: 'WARN', critical: 'p(95)<5', actual: 2 } as const;
    const fail = { ...pass, level: 'FAIL', ok: false, actual: 9 } as const;
    assert.deepEqual(verdictOf([pass, warn], [], false), {
      status: 'GO',
      reasons: [],
      warnings: ['threshold m p(95)<1 missed its target but held p(95)<5 (actual 2)'],
    });
    const v = verdictOf(
      [fail],
      [
        {
          name: 'no overbooking',
          ok: false,
          runs: 3,
          failures: 1,
          message: '2 offending rows',
          phase: 'during',
        },
      ],
      true,
      'SIGINT',
    );
    assert.equal(v.status, 'NO-GO');
    assert.deepEqual(v.reasons, [
      'threshold m p(95)<1 failed (actual 9)',
      'check no overbooking failed (during): 2 offending rows',
      'run interrupted before the plan finished: SIGINT',
    ]);
  });

  it('redacts credentials and query strings', () => {
    assert.equal(redactUrl('https://a:b@host:1/p?x=1#f'), 'https://host:1/p');
    assert.equal(redactUrl('not a url'), '(invalid URL)');
  });
});
