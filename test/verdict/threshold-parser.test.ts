import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ThresholdSyntaxError } from '../../src/errors.ts';
import { parseMetricKey } from '../../src/metrics/keys.ts';
import { compare, parseThreshold } from '../../src/verdict/threshold-parser.ts';

describe('threshold expressions', () => {
  const valid: [string, unknown, string, number][] = [
    ['p(95)<200', { kind: 'percentile', p: 95 }, '<', 200],
    ['p(99.9) < 500', { kind: 'percentile', p: 99.9 }, '<', 500],
    ['avg<=100.5', { kind: 'avg' }, '<=', 100.5],
    ['med>1', { kind: 'med' }, '>', 1],
    ['min>=0', { kind: 'min' }, '>=', 0],
    ['max<1000', { kind: 'max' }, '<', 1000],
    ['rate<0.01', { kind: 'rate' }, '<', 0.01],
    ['count>=100', { kind: 'count' }, '>=', 100],
    ['rps>=100', { kind: 'rps' }, '>=', 100],
    ['value==3', { kind: 'value' }, '==', 3],
    ['value===3', { kind: 'value' }, '==', 3],
    ['count!=0', { kind: 'count' }, '!=', 0],
    ['  rate  >  -1  ', { kind: 'rate' }, '>', -1],
  ];
  for (const [src, aggregation, operator, value] of valid) {
    it(`parses ${JSON.stringify(src)}`, () => {
      const t = parseThreshold(src);
      assert.deepEqual(t.aggregation, aggregation);
      assert.equal(t.operator, operator);
      assert.equal(t.value, value);
    });
  }

  const invalid = [
    'p95<200',
    'p(95)',
    'p(101)<5',
    'avg<',
    '<200',
    'avg<<2',
    'mean<3',
    'p(95)<2OO',
    'rate<0.01 extra',
    '',
  ];
  for (const src of invalid) {
    it(`rejects ${JSON.stringify(src)}`, () => {
      assert.throws(() => parseThreshold(src), ThresholdSyntaxError);
    });
  }

  it('compares with every operator', () => {
    assert.equal(compare(1, '<', 2), true);
    assert.equal(compare(2, '<', 2), false);
    assert.equal(compare(2, '<=', 2), true);
    assert.equal(compare(3, '>', 2), true);
    assert.equal(compare(2, '>=', 2), true);
    assert.equal(compare(2, '==', 2), true);
    assert.equal(compare(2, '!=', 2), false);
  });
});

describe('metric keys', () => {
  it('reads a name and sorted tag filters', () => {
    assert.deepEqual(parseMetricKey('http_req_duration{scenario:contention, method:POST}'), {
      source: 'http_req_duration{scenario:contention, method:POST}',
      metric: 'http_req_duration',
      filters: [
        ['method', 'POST'],
        ['scenario', 'contention'],
      ],
    });
    assert.deepEqual(parseMetricKey('checks').filters, []);
    assert.deepEqual(parseMetricKey('http_req_duration{name:/api/authorizations/:id/reserve}').filters, [
      ['name', '/api/authorizations/:id/reserve'],
    ]);
  });

  for (const bad of ['{scenario:x}', 'http_req_duration{scenario}', 'http_req_duration{:x}', 'a b', 'x{}']) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      assert.throws(() => parseMetricKey(bad), ThresholdSyntaxError));
  }
});
