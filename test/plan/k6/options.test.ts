/** k6 `options` → plan scenarios and thresholds (src/plan/k6/options.ts), with k6 v0.47's defaults. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertOptions } from '../../../src/plan/k6/options.ts';

const scenarioOf = (o: unknown) => {
  const c = convertOptions(o);
  assert.deepEqual(c.issues, []);
  return c.scenarios.default?.scenario;
};

describe('k6 options', () => {
  it('shortcuts become the default scenario as k6 derives it', () => {
    assert.deepEqual(scenarioOf(undefined), {
      executor: 'shared-iterations',
      vus: 1,
      iterations: 1,
      maxDuration: '10m',
      tags: {},
    });
    assert.deepEqual(scenarioOf({ vus: 5, duration: '30s' }), {
      executor: 'constant-vus',
      vus: 5,
      duration: '30s',
      tags: {},
    });
    assert.deepEqual(scenarioOf({ vus: 2, iterations: 10, duration: '1m' }), {
      executor: 'shared-iterations',
      vus: 2,
      iterations: 10,
      maxDuration: '1m',
      tags: {},
    });
    assert.deepEqual(
      scenarioOf({
        vus: 3,
        stages: [
          { duration: '10s', target: 5 },
          { duration: 2000, target: 0 },
        ],
        tags: { team: 'a' },
      }),
      {
        executor: 'ramping-vus',
        startVUs: 3,
        stages: [
          { duration: '10s', target: 5 },
          { duration: '2000ms', target: 0 },
        ],
        tags: { team: 'a' },
      },
      'a bare number is milliseconds in k6',
    );
  });

  it('scenarios keep their executor, common options and k6 defaults; exec, env and tags are carried', () => {
    const c = convertOptions({
      tags: { suite: 'x' },
      scenarios: {
        open: {
          executor: 'constant-arrival-rate',
          rate: 50,
          timeUnit: '1s',
          duration: '1m',
          preAllocatedVUs: 10,
          exec: 'buy',
          env: { MODE: 'fast', N: 3 },
          tags: { kind: 'open' },
          startTime: '5s',
          gracefulStop: '2s',
        },
        each: { executor: 'per-vu-iterations' },
      },
    });
    assert.deepEqual(c.issues, []);
    assert.deepEqual(c.scenarios.open, {
      scenario: {
        executor: 'constant-arrival-rate',
        rate: 50,
        timeUnit: '1s',
        duration: '1m',
        preAllocatedVUs: 10,
        maxVUs: 10,
        startTime: '5s',
        gracefulStop: '2s',
        tags: { suite: 'x', kind: 'open' },
      },
      exec: 'buy',
      env: { MODE: 'fast', N: '3' },
    });
    assert.deepEqual(c.scenarios.each?.scenario, {
      executor: 'per-vu-iterations',
      vus: 1,
      iterations: 1,
      maxDuration: '10m',
      tags: { suite: 'x' },
    });
    assert.equal(c.scenarios.each?.exec, 'default');
  });

  it('thresholds keep k6 syntax, abortOnFail and delayAbortEval', () => {
    const c = convertOptions({
      thresholds: {
        'http_req_duration{scenario:open}': [
          'p(95)<200',
          { threshold: 'p(99)<500', abortOnFail: true, delayAbortEval: '10s' },
        ],
        checks: 'rate>0.9',
      },
    });
    assert.deepEqual(c.issues, []);
    assert.deepEqual(c.thresholds, {
      'http_req_duration{scenario:open}': [
        'p(95)<200',
        { threshold: 'p(99)<500', abortOnFail: true, delayAbortEval: '10s' },
      ],
      checks: ['rate>0.9'],
    });
  });

  it('userAgent becomes a header; discardResponseBodies is kept; summary options are ignored', () => {
    const c = convertOptions({
      userAgent: 'probe/1',
      discardResponseBodies: true,
      summaryTrendStats: ['avg'],
    });
    assert.deepEqual(c.issues, []);
    assert.deepEqual(c.headers, { 'user-agent': 'probe/1' });
    assert.equal(c.discardResponseBodies, true);
    assert.deepEqual(c.ignored, ['summaryTrendStats']);
  });

  it("setupTimeout and teardownTimeout: k6's 60s unless given; a bare number is milliseconds", () => {
    const d = convertOptions({});
    assert.deepEqual([d.setupTimeout, d.teardownTimeout], ['60s', '60s']);
    const c = convertOptions({ setupTimeout: '2m', teardownTimeout: 1500 });
    assert.deepEqual(c.issues, []);
    assert.deepEqual([c.setupTimeout, c.teardownTimeout], ['2m', '1500ms']);
    const bad = convertOptions({ setupTimeout: 'soon' });
    assert.deepEqual(
      bad.issues.map((i) => [i.path.join('.'), i.message]),
      [['setupTimeout', 'expected a duration such as "30s", got "soon"']],
    );
  });

  it('what loadproof does not support is an issue naming it', () => {
    const c = convertOptions({
      hosts: {},
      vus: 2,
      scenarios: {
        a: { executor: 'externally-controlled' },
        b: { executor: 'ramping-vus', stages: [], gracefulRampDown: '1s' },
        c: { executor: 'nope' },
      },
      thresholds: { checks: [{ threshold: 'rate>0', when: 'later' }] },
    });
    assert.deepEqual(
      c.issues.map((i) => i.path.join('.')),
      [
        'hosts',
        'thresholds.checks',
        'vus',
        'scenarios.a.executor',
        'scenarios.b.gracefulRampDown',
        'scenarios.c.executor',
      ],
    );
    assert.match(c.issues[0]?.message ?? '', /"hosts" is not supported/);
    assert.match(c.issues[2]?.message ?? '', /vus and scenarios: write one or the other/);
    assert.match(c.issues[3]?.message ?? '', /externally-controlled executor is not supported/);
  });

  it('vus alone is ignored with a warning, as in k6: 1 VU, 1 iteration', () => {
    const c = convertOptions({ vus: 4 });
    assert.deepEqual(c.issues, []);
    assert.equal(c.warnings.length, 1);
    assert.match(c.warnings[0] ?? '', /options\.vus=4 is ignored/);
    assert.deepEqual(c.scenarios.default?.scenario, {
      executor: 'shared-iterations',
      vus: 1,
      iterations: 1,
      maxDuration: '10m',
      tags: {},
    });
  });

  it("maxRedirects is the plan's redirect limit; a bad one is an issue", () => {
    assert.equal(convertOptions({ maxRedirects: 0 }).maxRedirects, 0);
    assert.equal(convertOptions({}).maxRedirects, undefined);
    assert.deepEqual(
      convertOptions({ maxRedirects: -1 }).issues.map((i) => i.path.join('.')),
      ['maxRedirects'],
    );
  });

  it("insecureSkipTLSVerify becomes the plan's, and must be true or false", () => {
    assert.equal(convertOptions({ insecureSkipTLSVerify: true }).insecureSkipTLSVerify, true);
    assert.equal(convertOptions({}).insecureSkipTLSVerify, false);
    assert.deepEqual(
      convertOptions({ insecureSkipTLSVerify: 'yes' }).issues.map((i) => [i.path.join('.'), i.message]),
      [['insecureSkipTLSVerify', 'expected true or false']],
    );
  });

  it("validity (loadproof's own key) passes to the plan, and a wrong one is named under options", () => {
    const ok = convertOptions({ vus: 1, validity: { maxAborted: '2%', shardsOnTime: false } });
    assert.deepEqual(ok.issues, []);
    assert.deepEqual(ok.validity, { maxAborted: '2%', shardsOnTime: false });
    const bad = convertOptions({ vus: 1, validity: { maxAborted: '200%' } });
    assert.deepEqual(bad.issues, [
      {
        path: ['validity', 'maxAborted'],
        message: 'expected a percentage from "0%" to "100%" like "5%", got string "200%"',
      },
    ]);
    assert.equal(bad.validity, undefined);
  });
});
