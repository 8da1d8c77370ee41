/**
 * Absurd numbers are refused before any load, with the field named: a rate of 1e12, a duration
 * of 99999999999999999999h or a timeUnit of 0s would otherwise make a run that spins or never
 * ends. The same bounds hold for TypeScript plans, Artillery phases and the CLI shortcuts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PlanValidationError, UsageError } from '../../src/errors.ts';
import { parseScript } from '../../src/plan/artillery/parse.ts';
import { parseDurationMs } from '../../src/plan/duration.ts';
import { LIMITS } from '../../src/plan/limits.ts';
import { applyOverrides } from '../../src/plan/overrides.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { outsideDir, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const flow = async () => {};

function issuesOf(scenario: Record<string, unknown>, extra: Record<string, unknown> = {}): string[] {
  try {
    validatePlan({ target: 'http://127.0.0.1:8080', scenarios: { main: { flow, ...scenario } }, ...extra });
  } catch (e) {
    assert.ok(e instanceof PlanValidationError, `expected PlanValidationError, got ${e}`);
    assert.equal(e.exitCode, 2);
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('plan was accepted');
}

const open = { executor: 'constant-arrival-rate', rate: 10, duration: '5s', maxVUs: 5 };

describe('TypeScript plans: bounds', () => {
  it('a rate past the limit is refused at its field, after timeUnit', () => {
    assert.deepEqual(issuesOf({ ...open, rate: 1e12 }), [
      'scenarios.main.rate: must start at most 1000000 iterations per second, got 1000000000000 per second',
    ]);
    assert.deepEqual(issuesOf({ ...open, rate: 2000, timeUnit: '1ms' }), [
      'scenarios.main.rate: must start at most 1000000 iterations per second, got 2000000 per second',
    ]);
    // Just past the limit: the value given is shown, not rounded down to the limit itself.
    assert.deepEqual(issuesOf({ ...open, rate: 1000001 }), [
      'scenarios.main.rate: must start at most 1000000 iterations per second, got 1000001 per second',
    ]);
    const ramp = { executor: 'ramping-arrival-rate', maxVUs: 5, startRate: 1e9 };
    assert.deepEqual(issuesOf({ ...ramp, stages: [{ duration: '1s', target: 1e7 }] }), [
      'scenarios.main.startRate: must start at most 1000000 iterations per second, got 1000000000 per second',
      'scenarios.main.stages[0].target: must start at most 1000000 iterations per second, got 10000000 per second',
    ]);
  });

  it('timeUnit 0s is refused, not a rate divided by zero', () => {
    assert.deepEqual(issuesOf({ ...open, timeUnit: '0s' }), [
      'scenarios.main.timeUnit: must be longer than 0, got string "0s"',
    ]);
  });

  it('durations past 7 days are refused, however they are written', () => {
    assert.deepEqual(issuesOf({ ...open, duration: '99999999999999999999h' }), [
      'scenarios.main.duration: must be at most 168h (7 days), got string "99999999999999999999h"',
    ]);
    assert.deepEqual(issuesOf({ ...open, startTime: 1e12, gracefulStop: '169h' }), [
      'scenarios.main.startTime: must be at most 168h (7 days), got number 1000000000000',
      'scenarios.main.gracefulStop: must be at most 168h (7 days), got string "169h"',
    ]);
    assert.equal(parseDurationMs(`1${'0'.repeat(400)}s`), undefined, 'digits that overflow to Infinity');
    assert.equal(
      validatePlan({ target: 'http://127.0.0.1:1', scenarios: { m: { ...open, duration: '168h', flow } } })
        .scenarios[0]?.startTimeMs,
      0,
    );
  });

  it('VUs and iterations past the limits are refused', () => {
    assert.deepEqual(issuesOf({ ...open, maxVUs: 1e9 }), [
      'scenarios.main.maxVUs: must be at most 100000, got 1000000000',
    ]);
    assert.deepEqual(issuesOf({ executor: 'constant-vus', vus: 100_001, duration: '1s' }), [
      'scenarios.main.vus: must be at most 100000, got 100001',
    ]);
    assert.deepEqual(
      issuesOf({ executor: 'ramping-vus', startVUs: 1e6, stages: [{ duration: '1s', target: 1e6 }] }),
      [
        'scenarios.main.stages[0].target: must be at most 100000, got 1000000',
        'scenarios.main.startVUs: must be at most 100000, got 1000000',
      ],
    );
    assert.deepEqual(issuesOf({ executor: 'per-vu-iterations', vus: 1, iterations: 1e12 }), [
      'scenarios.main.iterations: must be at most 1000000000, got 1000000000000',
    ]);
  });

  it('a weighted mix whose cycle would be past the limit is refused (1e9 crashed V8 after a minute)', () => {
    const mix = (weights: number[]) => ({
      executor: 'per-vu-iterations',
      vus: 1,
      iterations: 1,
      flow: weights.map((weight, i) => ({ name: `f${i}`, weight, flow })),
    });
    assert.deepEqual(issuesOf(mix([1e9, 1])), [
      'scenarios.main.flow: the weights add up to 1000000001 after dividing by their common divisor; at most 10000',
    ]);
    const plan = validatePlan({ target: 'http://127.0.0.1:1', scenarios: { main: mix([2e8, 1e8]) } });
    assert.deepEqual(
      plan.scenarios[0]?.flows.map((f) => f.weight),
      [2e8, 1e8],
      'weights with a common divisor keep a short cycle (2 + 1)',
    );
  });

  it('NaN and Infinity are named as such, not "number null"', () => {
    assert.deepEqual(issuesOf({ ...open, rate: Number.NaN, maxVUs: Number.POSITIVE_INFINITY }), [
      'scenarios.main.rate: expected a positive number, got NaN',
      'scenarios.main.maxVUs: expected a positive integer, got Infinity',
    ]);
    assert.deepEqual(issuesOf({ ...open, duration: Number.NEGATIVE_INFINITY }), [
      'scenarios.main.duration: expected a duration like "30s", "500ms", "5m" or a number of seconds, got -Infinity',
    ]);
  });
});

describe('Artillery phases: bounds', () => {
  const issues = (phase: Record<string, unknown>) =>
    parseScript(
      {
        config: { target: 'http://127.0.0.1:8080', phases: [phase] },
        scenarios: [{ flow: [{ get: { url: '/' } }] }],
      },
      { file: '/tmp/s.yml', env: {} },
    ).issues.map((i) => `${i.path}: ${i.message}`);

  it('arrivalRate, rampTo, arrivalCount, duration and maxVusers have upper bounds', () => {
    assert.deepEqual(issues({ duration: 10, arrivalRate: 1e12 }), [
      'config.phases[0].arrivalRate: must be at most 1000000, got 1000000000000',
    ]);
    assert.deepEqual(issues({ duration: 10, arrivalRate: 1, rampTo: 1e7 }), [
      'config.phases[0].rampTo: must be at most 1000000, got 10000000',
    ]);
    assert.deepEqual(issues({ duration: 1, arrivalCount: 1e8 }), [
      'config.phases[0].arrivalCount: must start at most 1000000 virtual users per second, got 100000000 in 1 s',
    ]);
    assert.deepEqual(issues({ duration: '99999999999999999999h', arrivalRate: 1 }), [
      'config.phases[0].duration: must be at most 168h (7 days), got string "99999999999999999999h"',
    ]);
    assert.deepEqual(issues({ duration: 1, arrivalRate: 1, maxVusers: 1e9 }), [
      'config.phases[0].maxVusers: must be at most 100000, got 1000000000',
    ]);
  });

  it('scenario weights whose cycle would be past the limit are refused', () => {
    const r = parseScript(
      {
        config: { target: 'http://127.0.0.1:8080', phases: [{ duration: 1, arrivalRate: 1 }] },
        scenarios: [
          { weight: 1e9, flow: [{ get: { url: '/' } }] },
          { weight: 1, flow: [{ get: { url: '/' } }] },
        ],
      },
      { file: '/tmp/s.yml', env: {} },
    );
    assert.deepEqual(
      r.issues.map((i) => `${i.path}: ${i.message}`),
      ['scenarios: the weights add up to 1000000001 after dividing by their common divisor; at most 10000'],
    );
  });

  it('NaN and Infinity (YAML .nan, .inf) are named as such', () => {
    assert.deepEqual(issues({ duration: 1, arrivalRate: Number.NaN }), [
      'config.phases[0].arrivalRate: expected a non-negative number, got NaN',
    ]);
    assert.deepEqual(issues({ duration: Number.POSITIVE_INFINITY, arrivalRate: 1 }), [
      'config.phases[0].duration: expected a duration like "30s", "500ms", "5m" or a number of seconds, got Infinity',
    ]);
  });

  it('phases that last more than 7 days together are refused', () => {
    const day = { duration: '24h', arrivalRate: 1 };
    const r = parseScript(
      {
        config: { target: 'http://127.0.0.1:8080', phases: Array.from({ length: 8 }, () => day) },
        scenarios: [{ flow: [{ get: { url: '/' } }] }],
      },
      { file: '/tmp/s.yml', env: {} },
    );
    assert.deepEqual(
      r.issues.map((i) => `${i.path}: ${i.message}`),
      ['config.phases: the phases last 691200 s together; at most 168h (7 days)'],
    );
  });
});

describe('CLI shortcuts: bounds', () => {
  const plan = validatePlan({ target: 'http://127.0.0.1:1', scenarios: { m: { ...open, flow } } });

  it('--rate, --vus and --duration past the limits are usage errors naming the flag', () => {
    assert.throws(
      () => applyOverrides(plan, { rate: 1e12 }),
      (e: Error) => {
        assert.ok(e instanceof UsageError);
        assert.equal(e.message, '--rate: expected a number above 0 and at most 1000000, got 1000000000000');
        return true;
      },
    );
    assert.throws(() => applyOverrides(plan, { vus: 1e12 }), /--vus: expected an integer from 1 to 100000/);
    assert.throws(
      () => applyOverrides(plan, { durationMs: 3.6e26 }),
      /--duration: expected a duration above 0 and at most 168h/,
    );
    assert.throws(() => applyOverrides(plan, { rate: Number.NaN }), /--rate: .* got NaN/);
    assert.equal(
      applyOverrides(plan, { rate: LIMITS.ratePerSec }).scenarios[0]?.config.executor,
      'constant-arrival-rate',
    );
  });

  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('loadproof run refuses them with exit 2 before sending anything', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${server.url}',
  scenarios: { main: { executor: 'constant-arrival-rate', rate: 5, duration: '1s', maxVUs: 2, flow: async (vu) => { await vu.http.get('/hello'); } } },
});
`,
    );
    for (const args of [
      ['--rate', '1e12'],
      ['--duration', '99999999999999999999h'],
      ['--vus', '1e12'],
    ]) {
      const r = await runCli(['run', file, '--out', dir, ...args], { cwd: dir, timeoutMs: 30_000 });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`loadproof: ${args[0]}: expected`));
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.equal(server.total(), 0);
  });
});
