/** How the recorder reads a k6 run: its JSON samples and its --summary-export, into facts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { factsFromK6 } from './k6-facts.ts';

const URL = 'http://127.0.0.1:4000';
const point = (metric: string, value: number, tags: Record<string, string>) =>
  JSON.stringify({ type: 'Point', metric, data: { time: '2026-01-01T00:00:00Z', value, tags } });
const declare = (metric: string, type: string) => JSON.stringify({ type: 'Metric', metric, data: { type } });

const req = { scenario: 'a', method: 'GET', name: `${URL}/items`, status: '200', group: '::g' };
const samples = [
  declare('http_reqs', 'counter'),
  declare('orders', 'counter'),
  declare('open', 'rate'),
  declare('size', 'trend'),
  declare('depth', 'gauge'),
  point('http_reqs', 1, req),
  point('http_reqs', 1, { ...req, status: '404', name: 'named' }),
  point('http_req_failed', 0, req),
  point('http_req_failed', 1, { ...req, status: '404', name: 'named' }),
  point('http_reqs', 1, { method: 'GET', name: `${URL}/items`, status: '200', group: '::setup' }),
  point('iterations', 1, { scenario: 'a' }),
  point('iterations', 1, { scenario: 'a' }),
  point('dropped_iterations', 1, { scenario: 'b' }),
  point('checks', 1, { scenario: 'a', check: 'ok' }),
  point('checks', 0, { scenario: 'a', check: 'ok' }),
  point('group_duration', 12.5, { scenario: 'a', group: '::g' }),
  point('orders', 2, { scenario: 'a' }),
  point('orders', 3, { scenario: 'a', kind: 'x' }),
  point('open', 1, { scenario: 'a' }),
  point('open', 0, { scenario: 'a' }),
  point('size', 1, { scenario: 'a' }),
  point('size', 4, { scenario: 'a' }),
  point('depth', 5, { scenario: 'a' }),
  point('depth', 3, { scenario: 'a' }),
].join('\n');

const summaryExport = JSON.stringify({
  metrics: {
    orders: { count: 5, thresholds: { 'count==5': false } },
    'http_reqs{status:404}': { count: 1, thresholds: { 'count==0': true } },
    iterations: { count: 2 },
  },
});

describe('the facts of a k6 run', () => {
  it('counts samples by scenario, endpoint and status, and reads threshold verdicts', () => {
    const f = factsFromK6({
      exitCode: 99,
      jsonOutput: samples,
      summaryExport,
      serverUrl: URL,
      server: { 'GET /items': 2 },
    });
    assert.equal(f.exitCode, 99);
    assert.deepEqual(f.iterations, { a: 2 });
    assert.deepEqual(f.droppedIterations, { b: 1 });
    assert.deepEqual(
      f.responses,
      { 'a GET /items 200': 1, 'a GET named 404': 1 },
      "the server's URL is left out of names; setup() samples (no scenario) are not counted",
    );
    assert.deepEqual(f.failedRequests, { 'a GET named': 1 });
    assert.deepEqual(f.checks, { ok: { passes: 1, fails: 1 } });
    assert.deepEqual(f.groups, ['::g']);
    assert.deepEqual(f.metrics, {
      depth: { type: 'gauge', value: 3, min: 3, max: 5 },
      open: { type: 'rate', passes: 1, fails: 1 },
      orders: { type: 'counter', count: 5 },
      size: { type: 'trend', count: 2, min: 1, max: 4, avg: 2.5 },
    });
    assert.deepEqual(
      f.thresholds,
      { 'http_reqs{status:404} count==0': false, 'orders count==5': true },
      '--summary-export says true for a crossed threshold',
    );
    assert.equal(f.handleSummary, undefined);
  });

  it("keeps handleSummary's file with its objects' keys sorted", () => {
    const f = factsFromK6({
      exitCode: 0,
      jsonOutput: '',
      summaryExport: '{"metrics":{}}',
      serverUrl: URL,
      server: {},
      handleSummary: JSON.stringify({ b: 1, a: [{ z: 1, y: 2 }] }),
    });
    assert.equal(JSON.stringify(f.handleSummary), '{"a":[{"y":2,"z":1}],"b":1}');
  });
});
