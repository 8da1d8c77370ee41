/**
 * Parts of a run that runPlan composes, each on its own: thresholds that abort, the start
 * barrier, and stopping (first reason stands, both reasons when a second signal follows).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initHistograms } from '../../src/metrics/histogram.ts';
import { MetricStore } from '../../src/metrics/store.ts';
import { definePlan } from '../../src/plan/load.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { RunStop } from '../../src/run/run-stop.ts';
import { StartBarrier } from '../../src/run/start-barrier.ts';
import { ThresholdAbort } from '../../src/run/threshold-abort.ts';

before(() => initHistograms());

const plan = validatePlan(
  definePlan({
    target: 'http://127.0.0.1:9',
    thresholds: {
      http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '2s' }],
      iterations: ['count>100'],
    },
    scenarios: {
      s: { executor: 'shared-iterations', vus: 1, iterations: 1, flow: async () => {} },
    },
  }),
);

describe('threshold abort', () => {
  it('fires once its delay has passed, stops the run once, and reports the result it fired with', () => {
    const store = new MetricStore();
    for (let i = 0; i < 10; i++) store.addRate('http_req_failed', [''], i < 5);
    const logs: string[] = [];
    const stops: string[] = [];
    let stopping = false;
    const abort = new ThresholdAbort(
      plan,
      true,
      store,
      (m) => logs.push(m),
      (r) => {
        stops.push(r);
        stopping = true;
      },
    );
    abort.check(1000, () => stopping);
    assert.deepEqual(stops, [], 'not before delayAbortEval');
    abort.check(2500, () => stopping);
    abort.check(3000, () => stopping);
    assert.deepEqual(stops, ['threshold http_req_failed rate<0.1 failed']);
    assert.equal(logs.length, 1);
    // Later samples pass: the reported result is still the one that fired.
    for (let i = 0; i < 1000; i++) store.addRate('http_req_failed', [''], false);
    const results = abort.results(10_000);
    assert.equal(results.length, 2);
    assert.equal(results[0]?.aborted, true);
    assert.equal(results[0]?.level, 'FAIL');
    assert.equal(results[1]?.metric, 'iterations');
    assert.equal(results[1]?.aborted, undefined);
    store.destroy();
  });

  it('a shard judges none: the merge does', () => {
    const store = new MetricStore();
    for (let i = 0; i < 10; i++) store.addRate('http_req_failed', [''], true);
    const stops: string[] = [];
    const abort = new ThresholdAbort(
      plan,
      false,
      store,
      () => {},
      (r) => stops.push(r),
    );
    abort.check(5000, () => false);
    assert.deepEqual(stops, []);
    assert.deepEqual(abort.results(5000), []);
    store.destroy();
  });
});

describe('start barrier', () => {
  it('a start already past is kept: the load starts late, by how much is logged', () => {
    const logs: string[] = [];
    const barrier = new StartBarrier(Date.now() - 1500, (m) => logs.push(m));
    barrier.release([]);
    assert.ok(barrier.startSkewMs >= 1500);
    assert.ok(barrier.elapsedMs() >= 1500, 'elapsed from the agreed start');
    assert.equal(logs.length, 1);
    assert.match(logs[0] as string, /after --start-at: arrivals already due are counted as missed_arrivals/);
  });

  it('without an agreed start, the load starts just after the release and nothing is logged', () => {
    const logs: string[] = [];
    const barrier = new StartBarrier(undefined, (m) => logs.push(m));
    barrier.release([]);
    assert.equal(barrier.startSkewMs, 0);
    assert.equal(barrier.startedAt(), barrier.epochWallMs);
    assert.deepEqual(logs, []);
  });
});

describe('run stop', () => {
  it('the first reason stands; a second signal adds its own', () => {
    const first = new AbortController();
    const second = new AbortController();
    const stop = new RunStop(first.signal, second.signal);
    assert.equal(stop.interruptReason(), undefined);
    stop.stop('threshold x failed');
    first.abort('SIGTERM');
    assert.equal(stop.interruptReason(), 'threshold x failed');
    second.abort('SIGINT');
    assert.equal(
      stop.interruptReason(),
      'threshold x failed; then stopped at once by a second signal (SIGINT)',
    );
    stop.release();
  });

  it('a signal that came before the threads is read when they are handed over', () => {
    const first = new AbortController();
    first.abort('SIGHUP');
    const stop = new RunStop(first.signal, undefined);
    assert.equal(stop.stopped, false, 'the listener came after the signal');
    stop.handOver([]);
    assert.equal(stop.interruptReason(), 'stopped by signal (SIGHUP)');
    stop.release();
  });
});
