import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initHistograms } from '../../src/metrics/histogram.ts';
import { BUILTIN_METRICS } from '../../src/metrics/names.ts';
import { MetricStore } from '../../src/metrics/store.ts';
import { thresholdSeriesKey } from '../../src/verdict/threshold-parser.ts';
import { evaluateThreshold } from '../../src/verdict/thresholds.ts';

before(() => initHistograms());

const types = { ...BUILTIN_METRICS, lag: 'trend', gaugey: 'gauge' } as Record<
  string,
  'trend' | 'counter' | 'rate' | 'gauge'
>;
const spec = (key: string, expression: string, critical?: string) => ({
  key,
  expression,
  ...(critical ? { critical } : {}),
  abortOnFail: false,
  delayAbortEvalMs: 0,
});

describe('threshold evaluation', () => {
  it('PASS, WARN within the critical level, FAIL beyond it', () => {
    const store = new MetricStore();
    for (let i = 1; i <= 1000; i++) store.addTrend('lag', [''], i / 10); // 0.1 .. 100 ms
    const level = (e: string, c?: string) => evaluateThreshold(spec('lag', e, c), store, types, 10_000);
    assert.equal(level('p(95)<100').level, 'PASS');
    const warn = level('p(95)<50', 'p(95)<1000');
    assert.equal(warn.level, 'WARN');
    assert.equal(warn.ok, true);
    assert.ok(Math.abs((warn.actual as number) - 95) < 0.1);
    const fail = level('p(95)<50', 'p(95)<60');
    assert.equal(fail.level, 'FAIL');
    assert.equal(fail.ok, false);
    assert.equal(level('max<=100.1').level, 'PASS');
    assert.equal(level('count==1000').level, 'PASS');
    assert.equal(level('rps>=100').level, 'PASS', '1000 samples in 10 s');
    assert.equal(level('rps>100').level, 'FAIL');
    store.destroy();
  });

  it('rates, counters and gauges; tag-filtered series; no data is FAIL', () => {
    const store = new MetricStore();
    for (let i = 0; i < 100; i++) store.addRate('http_req_failed', ['', 'scenario=a'], i < 3);
    store.addCounter('http_reqs', ['', 'scenario=a'], 250);
    store.setGauge('gaugey', [''], 7);
    const ev = (k: string, e: string) => evaluateThreshold(spec(k, e), store, types, 2000);
    assert.equal(ev('http_req_failed', 'rate<0.05').actual, 0.03);
    assert.equal(ev('http_req_failed{scenario:a}', 'rate<0.01').level, 'FAIL');
    assert.equal(ev('http_reqs', 'count>=250').level, 'PASS');
    assert.equal(ev('http_reqs', 'rate>=125').level, 'PASS', '250 in 2 s');
    assert.equal(ev('gaugey', 'value==7').level, 'PASS');
    const none = ev('http_req_duration', 'p(95)<100');
    assert.equal(none.actual, null);
    assert.equal(none.level, 'FAIL');
    store.destroy();
  });

  it('rps of a series filtered by scenario is taken over the time that scenario ran, as its table shows', () => {
    const store = new MetricStore();
    // A scenario that started 1 s into a 3 s run and ran 2 s: 200 requests, 100/s.
    store.addCounter('http_reqs', ['', 'scenario=late'], 200);
    store.setGauge('scenario_duration_ms', ['scenario=late'], 2000);
    const ev = (k: string, e: string) => evaluateThreshold(spec(k, e), store, types, 3000);
    assert.equal(ev('http_reqs{scenario:late}', 'rps>=100').actual, 100);
    assert.equal(ev('http_reqs{scenario:late}', 'rate>=100').level, 'PASS');
    assert.equal(ev('http_reqs', 'rps>=100').level, 'FAIL', 'the run as a whole: 200 in 3 s');
    store.destroy();
  });

  it('rps of a series filtered by other tags is taken from its first request to its last', () => {
    const store = new MetricStore();
    // 150 requests to one endpoint between 2.0 s and 3.5 s of a 4 s run: 100/s while it was called.
    const key = thresholdSeriesKey('http_reqs{name:late}');
    store.addCounter('http_reqs', ['', key], 150);
    store.setGauge('series_active_ms', [key], 2000);
    store.setGauge('series_active_ms', [key], 3500);
    const ev = (k: string, e: string) => evaluateThreshold(spec(k, e), store, types, 4000);
    assert.equal(ev('http_reqs{name:late}', 'rps>=100').actual, 100);
    assert.equal(ev('http_reqs', 'rps>=100').actual, 37.5, 'the run as a whole: 150 in 4 s');
    // One request spans no time: the run's time is used.
    const single = thresholdSeriesKey('http_reqs{name:once}');
    store.addCounter('http_reqs', [single], 1);
    store.setGauge('series_active_ms', [single], 1000);
    assert.equal(ev('http_reqs{name:once}', 'rps>=1').actual, 0.25);
    store.destroy();
  });

  it('a default threshold without data holds; a written one fails', () => {
    const store = new MetricStore();
    const written = evaluateThreshold(spec('checks', 'rate>=0.99'), store, types, 1000);
    const byDefault = evaluateThreshold(
      { ...spec('checks', 'rate>=0.99'), isDefault: true },
      store,
      types,
      1000,
    );
    assert.equal(written.level, 'FAIL');
    assert.equal(byDefault.level, 'PASS');
    assert.equal(byDefault.actual, null);
    assert.equal(byDefault.isDefault, true);
    store.destroy();
  });
});
