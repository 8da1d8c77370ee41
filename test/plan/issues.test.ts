/**
 * The validation toolkit every script format shares: the same mistake reads the same in a
 * TypeScript plan, an Artillery script or a k6 script, with its path, its line when known, and a
 * did-you-mean for a mistyped key.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { didYouMean, Issues, planIssues, typeName } from '../../src/plan/issues.ts';

const texts = (issues: Issues) => issues.errors.map((i) => `${i.path}: ${i.message}`);

describe('validation toolkit', () => {
  it('names values one way: arrays are arrays, NaN is NaN', () => {
    assert.equal(typeName([1]), 'an array');
    assert.equal(typeName('ten'), 'string "ten"');
    assert.equal(typeName(Number.NaN), 'NaN');
    assert.equal(typeName(undefined), 'nothing');
  });

  it('suggests the key meant: another case, or a typo or two when only one key is that close', () => {
    assert.equal(didYouMean('maxVus', ['maxVUs', 'rate']), 'maxVUs');
    assert.equal(didYouMean('durtion', ['duration', 'rate']), 'duration');
    assert.equal(didYouMean('arivalRate', ['arrivalRate', 'rampTo']), 'arrivalRate');
    assert.equal(didYouMean('colour', ['name', 'target', 'flow']), undefined);
    assert.equal(didYouMean('vu', ['vus', 'vu2']), undefined, 'a short key is not guessed');
  });

  it('collects every problem with its path, in the words of the rule', () => {
    const issues = new Issues();
    issues.unknownKeys('scenarios.main', { maxVus: 1, colour: 'red' }, ['maxVUs', 'rate']);
    assert.equal(issues.number('a', 0, { positive: true, integer: true }), undefined);
    assert.equal(issues.number('b', '10', { text: true }), 10);
    assert.equal(issues.number('c', -1, { nonNegative: true }), undefined);
    assert.equal(issues.number('d', 7, { max: 5 }), undefined);
    assert.equal(issues.duration('e', '1m30s'), 90_000);
    assert.equal(issues.duration('f', '0s', { positive: true }), undefined);
    assert.equal(issues.duration('g', 'soon'), undefined);
    assert.equal(issues.baseUrl('h', 'http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
    issues.baseUrl('i', 'ftp://x');
    issues.weightsCycle('j', [1e9, 1]);
    assert.deepEqual(texts(issues), [
      'scenarios.main.maxVus: unknown key (did you mean "maxVUs"?)',
      'scenarios.main.colour: unknown key',
      'a: expected a positive integer, got number 0',
      'c: expected a non-negative number, got number -1',
      'd: must be at most 5, got 7',
      'f: must be longer than 0, got string "0s"',
      'g: expected a duration like "30s", "500ms", "5m" or a number of seconds, got string "soon"',
      'i: expected an http(s) URL, got "ftp://x"',
      'j: the weights add up to 1000000001 after dividing by their common divisor; at most 10000',
    ]);
  });

  it('reports issues with the line of the file when the reader knows it', () => {
    const issues = new Issues();
    issues.error('config.target', 'not a valid URL: "x"');
    issues.error('scenarios[0].flow', 'expected an array of steps, got nothing', 12);
    issues.warn('config.tls', 'not supported');
    const lineOf = (path: string) => (path === 'config.target' ? 3 : undefined);
    assert.deepEqual(planIssues(issues.errors, lineOf), [
      { path: 'config.target', message: 'not a valid URL: "x" (line 3)' },
      { path: 'scenarios[0].flow', message: 'expected an array of steps, got nothing (line 12)' },
    ]);
    assert.deepEqual(planIssues(issues.warnings), [{ path: 'config.tls', message: 'not supported' }]);
  });
});
