/**
 * Input that made the parsers recurse until the stack ran out: an expression nested or chained
 * thousands deep, a string holding thousands of template calls. Each was a RangeError with a
 * stack trace (exit 1) when the script was read; now an expression that long is refused with
 * its path, and any number of calls renders.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planShape } from '../../../src/plan/artillery/build.ts';
import { type ParseIssue, parseScript } from '../../../src/plan/artillery/parse.ts';
import { template } from '../../../src/plan/artillery/template.ts';

const parse = (config: Record<string, unknown>, step: Record<string, unknown> = {}) =>
  parseScript(
    {
      config: { target: 'http://127.0.0.1:8080', phases: [{ duration: 1, arrivalRate: 1 }], ...config },
      scenarios: [{ flow: [{ get: { url: '/', ...step } }] }],
    },
    { file: '/tmp/s.yml', env: {} },
  );

const messages = (issues: ParseIssue[]) => issues.map((i) => `${i.path}: ${i.message}`);

describe('deep input', () => {
  it('an ifTrue nested or chained too deep is a malformed expression at its path', () => {
    assert.deepEqual(messages(parse({}, { ifTrue: `${'('.repeat(400)}1${')'.repeat(400)}` }).issues), [
      'scenarios[0].flow[0].get.ifTrue: malformed expression: nested more than 50 deep',
    ]);
    assert.deepEqual(messages(parse({}, { ifTrue: `${'not '.repeat(400)}x` }).issues), [
      'scenarios[0].flow[0].get.ifTrue: malformed expression: nested more than 50 deep',
    ]);
    assert.deepEqual(messages(parse({}, { ifTrue: Array(100_000).fill('a').join(' and ') }).issues), [
      'scenarios[0].flow[0].get.ifTrue: malformed expression: longer than 1000 words and signs',
    ]);
    assert.deepEqual(parse({}, { ifTrue: `${'('.repeat(20)}a > 1${')'.repeat(20)} and b` }).issues, []);
  });

  it('an ensure condition as deep is refused the same way', () => {
    const p = parse({
      ensure: {
        conditions: [{ expression: `${'('.repeat(100_000)}http.requests > 1${')'.repeat(100_000)}` }],
      },
    });
    assert.deepEqual(p.issues, []);
    const issues: ParseIssue[] = [];
    planShape(p.model as NonNullable<typeof p.model>, issues);
    assert.deepEqual(messages(issues), [
      'config.ensure.conditions[0].expression: malformed expression: longer than 1000 words and signs',
    ]);
  });

  it('thousands of template calls in one string render, left to right, then its variables', () => {
    const many = '{{ $randomNumber(1, 1) }}'.repeat(20_000);
    assert.equal(template(many, { vars: {} }), '1'.repeat(20_000));
    assert.deepEqual(parse({ phases: [{ duration: 1, arrivalRate: 1, name: many }] }).issues, []);
    const mixed = template('{{ $randomString(3) }}-{{ id }}-{{ $randomNumber(7, 7) }}', { vars: { id: 5 } });
    assert.match(String(mixed), /^[0-9a-z]{3}-5-7$/);
  });
});
