import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckRunner } from '../../src/checks/check-runner.ts';
import type { CheckSpec } from '../../src/plan/types.ts';

const check = (name: string, run: CheckSpec['run'], extra: Partial<CheckSpec> = {}): CheckSpec => ({
  name,
  run,
  before: false,
  after: true,
  ...extra,
});

const ctx = { setup: undefined, env: {}, counter: () => 0, counterNames: () => [] };

describe('check runner', () => {
  it('reads outcomes: nothing, true and [] hold; false, a message, rows and a throw fail', async () => {
    const runner = new CheckRunner(
      [
        check('undefined', () => undefined),
        check('true', () => true),
        check('empty rows', async () => []),
        check('false', () => false),
        check('message', () => 'units overbooked'),
        check('rows', async () => [{ id: 'a', over: 10 }]),
        check('throws', () => {
          throw new Error('connection refused');
        }),
      ],
      ctx,
    );
    await runner.runPhase('after');
    const byName = Object.fromEntries(runner.list().map((r) => [r.name, r]));
    for (const ok of ['undefined', 'true', 'empty rows']) assert.equal(byName[ok]?.ok, true, ok);
    assert.equal(byName.false?.message, 'returned false');
    assert.equal(byName.message?.message, 'units overbooked');
    assert.deepEqual(byName.rows?.rows, [{ id: 'a', over: 10 }]);
    assert.equal(byName.rows?.message, '1 offending row');
    assert.equal(byName.throws?.message, 'check threw: connection refused');
    assert.equal(byName.throws?.phase, 'after');
  });

  it('runs periodic checks during the load and keeps the first failure', async () => {
    let n = 0;
    const runner = new CheckRunner(
      [check('flaky', () => (++n === 2 ? 'second run failed' : true), { everyMs: 20 })],
      ctx,
    );
    const stop = new AbortController();
    const during = runner.runDuring(stop.signal);
    // Three periodic runs, however long a busy machine takes to give them (the after phase adds one).
    while (n < 3) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    await during;
    await runner.runPhase('after');
    const [r] = runner.list();
    assert.ok((r?.runs ?? 0) >= 4, `ran ${r?.runs} times`);
    assert.equal(r?.failures, 1);
    assert.equal(r?.ok, false);
    assert.equal(r?.phase, 'during');
    assert.equal(r?.message, 'second run failed');
  });

  it('a stop while a periodic check runs ends the loop when that run ends, not a period later', async () => {
    // Margins of a second or more, so that a busy machine cannot blur the two outcomes.
    const periodMs = 1500;
    const runner = new CheckRunner(
      [check('slow', () => new Promise((r) => setTimeout(r, 1000)), { everyMs: periodMs })],
      ctx,
    );
    const stop = new AbortController();
    const during = runner.runDuring(stop.signal);
    // The first run starts at 1500 ms and lasts until 2500 ms; stop in the middle of it.
    await new Promise((r) => setTimeout(r, 2000));
    const stoppedAt = performance.now();
    stop.abort();
    await during;
    const waited = performance.now() - stoppedAt;
    // About 500 ms (the rest of the run); a loop that waited for the next period took 2000.
    assert.ok(waited < 1250, `the loop ended ${waited.toFixed(0)} ms after the stop`);
    assert.equal(runner.list()[0]?.runs, 1);
  });
});
