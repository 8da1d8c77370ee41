import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { realClock } from '../../src/engine/clock.ts';

describe('real clock', () => {
  it('never wakes early', async () => {
    for (const ms of [0.3, 1, 2.5, 7]) {
      const at = realClock.now() + ms;
      await realClock.sleepUntil(at);
      assert.ok(realClock.now() >= at, `woke ${at - realClock.now()} ms early`);
    }
  });

  it('with earlyMs, wakes at most that much early, and not much late', async () => {
    const errors: number[] = [];
    for (let i = 0; i < 40; i++) {
      const at = realClock.now() + 0.5 + (i % 7) * 0.7;
      await realClock.sleepUntil(at, undefined, 1);
      const error = realClock.now() - at;
      assert.ok(error >= -1, `woke ${-error} ms early`);
      errors.push(error);
    }
    errors.sort((a, b) => a - b);
    // Timers fire late on a busy machine: only the median is held to a bound.
    assert.ok((errors[20] as number) < 1, `median lateness ${errors[20]} ms`);
  });

  it('a sleep already due still yields to timers (a loop over past times cannot starve the event loop)', async () => {
    let fired = false;
    setTimeout(() => {
      fired = true;
    }, 0);
    const deadline = Date.now() + 2000;
    while (!fired && Date.now() < deadline) await realClock.sleepUntil(0);
    assert.equal(fired, true);
  });

  it('an abort ends a sleep at once', async () => {
    const stop = new AbortController();
    const t0 = realClock.now();
    setTimeout(() => stop.abort(), 20);
    await realClock.sleepUntil(t0 + 60_000, stop.signal);
    assert.ok(realClock.now() - t0 < 1000);
  });

  it('a sleep longer than a timer can hold (24.8 days) waits quietly until aborted', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const stop = new AbortController();
    let wakes = 0;
    const sleeping = realClock.sleepUntil(realClock.now() + 1e10, stop.signal).then(() => wakes++);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(wakes, 0, 'still asleep: no 1 ms timer that fires at once');
    stop.abort();
    await sleeping;
    process.off('warning', onWarning);
    assert.deepEqual(warnings, [], 'no TimeoutOverflowWarning');
  });
});
