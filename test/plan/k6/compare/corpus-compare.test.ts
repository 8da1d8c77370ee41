/** How the corpus classes a loadproof run beside k6's, and matches it with the expected class. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Example } from './corpus.ts';
import { classify, mismatch } from './corpus-compare.ts';
import type { Outcome } from './corpus-run.ts';
import type { Facts } from './facts.ts';

const facts = (over: Partial<Facts> = {}): Facts => ({
  exitCode: 0,
  server: { 'GET httpbin.org/get': 2 },
  iterations: { default: 2 },
  droppedIterations: {},
  responses: { 'default GET /get 200': 2 },
  failedRequests: {},
  checks: { ok: { passes: 2, fails: 0 } },
  groups: [],
  metrics: { waits: { type: 'trend', count: 2, min: 1, max: 9, avg: 5 } },
  thresholds: {},
  ...over,
});
const ran = (f: Facts, more: Partial<Outcome> = {}): Outcome =>
  ({ kind: 'ran', exitCode: f.exitCode, facts: f, ...more }) as Outcome;
const ex = (over: Partial<Example> = {}): Example => ({
  file: 'x.js',
  standIns: [],
  compare: 'exact',
  expected: 'same',
  ...over,
});

describe('the class of an example', () => {
  it('same when every count is equal; trend figures other than the count do not matter', () => {
    const lp = facts({ metrics: { waits: { type: 'trend', count: 2, min: 3, max: 4, avg: 3.5 } } });
    assert.deepEqual(classify(ran(facts()), ran(lp), ex()), { class: 'same' });
  });

  it('differed, naming the facts; k6 99 is loadproof 3', () => {
    const k6 = facts({ exitCode: 99 });
    const lp = facts({ exitCode: 0, checks: { ok: { passes: 1, fails: 1 } } });
    const r = classify(ran(k6), ran(lp), ex());
    assert.deepEqual(r, { class: 'differed', facts: ['exitCode', 'checks'] });
    assert.equal(mismatch(r, 'differed: checks, exitCode (issue 28: why)'), undefined);
    assert.match(mismatch(r, 'differed: checks (issue 28)') ?? '', /expected differed: checks/);
    assert.equal(classify(ran(k6), ran(facts({ exitCode: 3 })), ex()).class, 'same');
  });

  it('outcome compares what happened, not how often', () => {
    const lp = facts({ server: { 'GET httpbin.org/get': 5 }, checks: { ok: { passes: 5, fails: 0 } } });
    assert.equal(classify(ran(facts()), ran(lp), ex({ compare: 'outcome' })).class, 'same');
    const failing = facts({ checks: { ok: { passes: 1, fails: 1 } } });
    assert.equal(classify(ran(facts()), ran(failing), ex({ compare: 'outcome' })).class, 'differed');
  });

  it("loadproof's NO-GO by its own defaults counts as k6's 0 only where the example says so", () => {
    const lp = ran(facts({ exitCode: 3 }), { noGoByDefaults: true });
    assert.equal(classify(ran(facts()), lp, ex()).class, 'differed');
    assert.equal(classify(ran(facts()), lp, ex({ noGoByDefaults: 'defaults' })).class, 'same');
    const byItsOwn = ran(facts({ exitCode: 3 }), { noGoByDefaults: false });
    assert.equal(classify(ran(facts()), byItsOwn, ex({ noGoByDefaults: 'defaults' })).class, 'differed');
  });

  it('refused and k6 fails carry the message, matched by the expected reason', () => {
    const refused: Outcome = {
      kind: 'failed',
      exitCode: 2,
      message: 'line 1: "k6/ws" is not supported by loadproof',
    };
    const r = classify(ran(facts()), refused, ex());
    assert.equal(mismatch(r, 'refused: "k6/ws" is not supported (issue 29)'), undefined);
    assert.match(mismatch(r, 'refused: "k6/net/grpc" is not supported (issue 29)') ?? '', /refusal saying/);
    const k6: Outcome = { kind: 'failed', exitCode: 108, message: 'panic' };
    assert.equal(mismatch(classify(k6, undefined, ex()), 'k6 fails'), undefined);
  });
});
