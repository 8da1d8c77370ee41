/**
 * The run-validity criteria as a pure function of a run's figures: the planned load delivered
 * (missed + dropped arrivals, unanswered requests, at least one request, every shard on time),
 * a plan's looser limit marked `loosened`, and each failure a reason of the verdict.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Issues } from '../../src/plan/issues.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { validityOf } from '../../src/plan/validity.ts';
import { runValidity, type ValidityFigures } from '../../src/verdict/run-validity.ts';
import { verdictOf } from '../../src/verdict/verdict.ts';

const delivered: ValidityFigures = {
  plannedArrivals: 2400,
  missedArrivals: 0,
  droppedArrivals: 0,
  requests: 2400,
  unanswered: 0,
};

const byName = (figures: ValidityFigures, limits = {}) =>
  Object.fromEntries(runValidity(figures, limits).map((c) => [c.name, c]));

describe('run validity', () => {
  it('a delivered run holds every criterion, and a run without shards has no shard criterion', () => {
    const criteria = runValidity(delivered);
    assert.deepEqual(
      criteria.map((c) => [c.name, c.ok]),
      [
        ['maxMissedArrivals', true],
        ['maxAborted', true],
        ['minRequests', true],
      ],
    );
    assert.equal(verdictOf([], [], false, undefined, [], criteria).status, 'GO');
  });

  it('missed + dropped arrivals past 1% of the planned ones fail, at exactly 1% hold', () => {
    // The issue's late shard: 2,187 of 2,400 planned requests sent, 213 arrivals missed.
    const late = byName({ ...delivered, missedArrivals: 213, requests: 2187 }).maxMissedArrivals;
    assert.equal(late?.ok, false);
    assert.equal(late?.actual, '8.88% (213 of 2400)');
    assert.equal(late?.limit, '<= 1%');
    assert.equal(
      byName({ ...delivered, missedArrivals: 12, droppedArrivals: 12 }).maxMissedArrivals?.ok,
      true,
    );
    assert.equal(
      byName({ ...delivered, missedArrivals: 12, droppedArrivals: 13 }).maxMissedArrivals?.ok,
      false,
    );
    const v = verdictOf([], [], false, undefined, [], runValidity({ ...delivered, droppedArrivals: 500 }));
    assert.equal(v.status, 'NO-GO');
    assert.deepEqual(v.reasons, [
      'run validity maxMissedArrivals failed: missed + dropped arrivals of the planned ones 20.8% (500 of 2400), limit <= 1%',
    ]);
  });

  it('closed-model runs have no arrivals: that criterion holds and says so', () => {
    const c = byName({ ...delivered, plannedArrivals: 0, droppedArrivals: 0 }).maxMissedArrivals;
    assert.equal(c?.ok, true);
    assert.match(c?.actual ?? '', /no arrivals planned/);
  });

  it('requests left unanswered past 1% fail, whatever the thresholds look at', () => {
    const c = byName({ ...delivered, plannedArrivals: 0, requests: 60, unanswered: 60 }).maxAborted;
    assert.equal(c?.ok, false);
    assert.equal(c?.actual, '100% (60 of 60)');
  });

  it('a run that sent no request fails minRequests', () => {
    const c = byName({ ...delivered, plannedArrivals: 0, requests: 0 }).minRequests;
    assert.equal(c?.ok, false);
    assert.equal(c?.limit, '>= 1');
  });

  it('a shard that started late beyond the tolerance fails, named', () => {
    const shards = [
      { segment: '0:1/2', startSkewMs: 4250 },
      { segment: '1/2:1', startSkewMs: 40 },
    ];
    const c = byName({ ...delivered, shards }).shardsOnTime;
    assert.equal(c?.ok, false);
    assert.equal(c?.actual, 'late: shard 0:1/2 by 4250 ms');
    assert.equal(
      byName({ ...delivered, shards: [{ segment: '0:1', startSkewMs: 900 }] }).shardsOnTime?.ok,
      true,
    );
  });

  it('a plan loosens by name: the criterion holds, marked loosened, and the verdict warns of it', () => {
    const figures = {
      ...delivered,
      droppedArrivals: 100,
      requests: 0,
      shards: [{ segment: '0:1', startSkewMs: 5000 }],
    };
    const criteria = runValidity(figures, {
      maxMissedArrivals: 0.05,
      minRequests: 0,
      shardsOnTime: false,
      maxAborted: 0.005,
    });
    assert.deepEqual(
      criteria.map((c) => [c.name, c.ok, c.loosened ?? false]),
      [
        ['maxMissedArrivals', true, true],
        ['maxAborted', true, false],
        ['minRequests', true, true],
        ['shardsOnTime', true, true],
      ],
    );
    const v = verdictOf([], [], false, undefined, [], criteria);
    assert.equal(v.status, 'GO');
    assert.equal(v.warnings.length, 3);
    assert.match(v.warnings[0] ?? '', /^run validity maxMissedArrivals loosened by the plan: .*limit <= 5%$/);
  });
});

describe('the plan key `validity`', () => {
  const read = (v: unknown) => {
    const issues = new Issues();
    const limits = validityOf(issues, 'validity', v);
    return { limits, errors: issues.errors.map((e) => `${e.path}: ${e.message}`) };
  };

  it('reads percentages, a count and a flag', () => {
    assert.deepEqual(
      read({ maxMissedArrivals: '5%', maxAborted: '2.5 %', minRequests: 0, shardsOnTime: false }).limits,
      { maxMissedArrivals: 0.05, maxAborted: 0.025, minRequests: 0, shardsOnTime: false },
    );
  });

  it('names a wrong key with a did-you-mean, and a wrong value with what it got', () => {
    assert.deepEqual(read({ maxMisedArrivals: '5%', maxAborted: 0.02, minRequests: -1 }).errors, [
      'validity.maxMisedArrivals: unknown key (did you mean "maxMissedArrivals"?)',
      'validity.maxAborted: expected a percentage from "0%" to "100%" like "5%", got number 0.02',
      'validity.minRequests: expected a non-negative integer, got number -1',
    ]);
    assert.deepEqual(read('loose').errors, ['validity: expected an object, got string "loose"']);
  });

  it('a TypeScript plan carries it, and a misspelt plan key is named with a did-you-mean', () => {
    const base = {
      target: 'http://127.0.0.1:8080',
      scenarios: { main: { executor: 'constant-vus', vus: 1, duration: '1s', flow: async () => {} } },
    };
    assert.deepEqual(validatePlan({ ...base, validity: { maxAborted: '2%' } }).validity, {
      maxAborted: 0.02,
    });
    assert.equal(validatePlan(base).validity, undefined);
    assert.throws(
      () => validatePlan({ ...base, validty: { minRequests: 0 } }),
      (e: Error & { issues?: { path: string; message: string }[] }) =>
        e.issues?.[0]?.path === 'validty' && /did you mean "validity"/.test(e.issues[0].message),
    );
  });
});
