import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlanValidationError } from '../../src/errors.ts';
import { validatePlan } from '../../src/plan/validate.ts';

const plan = (threshold: string, critical: string) => ({
  target: 'http://127.0.0.1:8080',
  scenarios: { main: { executor: 'constant-vus', vus: 1, duration: '1s', flow: async () => {} } },
  thresholds: { http_req_duration: [{ threshold, critical }] },
});

function problem(threshold: string, critical: string): string | undefined {
  try {
    validatePlan(plan(threshold, critical));
    return undefined;
  } catch (e) {
    assert.ok(e instanceof PlanValidationError);
    return e.issues.map((i) => `${i.path}: ${i.message}`).join('\n');
  }
}

describe('a critical level', () => {
  it('looser than its target, same figure, same direction: accepted', () => {
    assert.equal(problem('p(95)<200', 'p(95)<300'), undefined);
    assert.equal(problem('avg>=50', 'avg>=20'), undefined);
    assert.equal(problem('max<100', 'max<=100'), undefined);
  });

  it('stricter than its target is an error naming both', () => {
    assert.equal(
      problem('p(95)<200', 'p(95)<150'),
      'thresholds["http_req_duration"][0].critical: "p(95)<150" is stricter than its target "p(95)<200": the critical level is the looser bound, the one past which the run fails',
    );
    assert.match(problem('avg>50', 'avg>80') ?? '', /is stricter than its target/);
  });

  it("another figure, or a level that always holds, is the plan's own choice", () => {
    assert.equal(problem('p(95)<200', 'p(99)<300'), undefined);
    assert.equal(problem('count==0', 'count>=0'), undefined, "Artillery's non-strict conditions");
  });
});
