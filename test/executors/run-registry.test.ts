/**
 * The plan's executor registry and the engine's are keyed by the same names: every executor a
 * plan may name has its definition under that name, a run and a live target.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EXECUTOR_NAMES,
  EXECUTORS,
  isExecutorName,
  isOpenModel,
  peakVus,
  scenarioDurationMs,
  targetAt,
} from '../../src/executors/index.ts';
import { RUNS } from '../../src/executors/run-registry.ts';
import { validatePlan } from '../../src/plan/validate.ts';

const SCENARIOS = {
  car: { executor: 'constant-arrival-rate', rate: 5, duration: '2s', maxVUs: 3 },
  rar: { executor: 'ramping-arrival-rate', stages: [{ duration: '4s', target: 9 }], maxVUs: 4 },
  cv: { executor: 'constant-vus', vus: 2, duration: '3s' },
  rv: {
    executor: 'ramping-vus',
    startVUs: 1,
    stages: [
      { duration: '1s', target: 6 },
      { duration: '2s', target: 0 },
    ],
  },
  pvi: { executor: 'per-vu-iterations', vus: 2, iterations: 3 },
  si: { executor: 'shared-iterations', vus: 2, iterations: 3, maxDuration: '5s' },
};

describe('executor registries', () => {
  it('name the same executors, each definition under its own name', () => {
    assert.deepEqual(Object.keys(RUNS), EXECUTOR_NAMES);
    for (const name of EXECUTOR_NAMES) {
      assert.equal(EXECUTORS[name].name, name);
      assert.equal(typeof RUNS[name].run, 'function');
    }
    assert.equal(isExecutorName('toString'), false, 'an inherited property is not an executor');
  });

  it('give a schedule of arrivals to the open-model executors and to no other', () => {
    for (const name of EXECUTOR_NAMES)
      assert.equal(RUNS[name].pacer !== undefined, EXECUTORS[name].model === 'open', name);
    assert.deepEqual(
      EXECUTOR_NAMES.filter((n) => isOpenModel(n)),
      ['constant-arrival-rate', 'ramping-arrival-rate'],
    );
    assert.equal(isOpenModel('toString'), false);
  });

  it('give each validated scenario its duration, peak VUs and live target', () => {
    const flow = async () => {};
    const plan = validatePlan({
      target: 'http://127.0.0.1:1',
      scenarios: Object.fromEntries(Object.entries(SCENARIOS).map(([k, s]) => [k, { ...s, flow }])),
    });
    const seen = plan.scenarios.map((s) => [
      s.name,
      scenarioDurationMs(s.config),
      peakVus(s.config),
      targetAt(s.config, 0),
    ]);
    assert.deepEqual(seen, [
      ['car', 2000, 3, '5/s'],
      ['rar', 4000, 4, '0/s'],
      ['cv', 3000, 2, '2 VUs'],
      ['rv', 3000, 6, '1 VUs'],
      ['pvi', 600_000, 2, '3 iterations × 2 VUs'],
      ['si', 5000, 2, '3 iterations over 2 VUs'],
    ]);
    assert.deepEqual(new Set(plan.scenarios.map((s) => s.config.executor)), new Set(EXECUTOR_NAMES));
  });
});
