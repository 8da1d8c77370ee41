/** k6's event loop per call into the script (event-loop.ts): what it waits for, whose handlers run as whom, which errors end the call. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { current, type K6Context, runIn } from '../../../src/plan/k6/context.ts';
import { drain, VuPromise } from '../../../src/plan/k6/event-loop.ts';
import { standaloneHttp } from '../../../src/plan/k6/standalone-http.ts';

const context = (): K6Context => ({ stage: 'setup', http: standaloneHttp, env: {} });
const later = <T>(v: T) => new Promise<T>((res) => setTimeout(() => res(v), 5));

describe('k6 event loop', () => {
  it("a .then chain on a module's promise runs as its VU, and the call waits for the whole chain", async () => {
    const ctx = context();
    const seen: (K6Context | undefined)[] = [];
    runIn(ctx, () => {
      void VuPromise.of(current(), later(1))
        .then((v) => {
          seen.push(current());
          return later(v + 1);
        })
        .then(() => seen.push(current()));
    });
    assert.equal(seen.length, 0);
    await drain(ctx);
    assert.deepEqual(seen, [ctx, ctx]);
  });

  it('a rejection nothing handles ends the call with it; a handled one does not', async () => {
    const unhandled = context();
    runIn(unhandled, () => {
      void VuPromise.of(current(), Promise.reject(new Error('redis: nil'))).then(() => 'never');
    });
    await assert.rejects(drain(unhandled), /redis: nil/);

    const handled = context();
    let caught = '';
    runIn(handled, () => {
      void VuPromise.of(current(), Promise.reject(new Error('redis: nil'))).catch((e: Error) => {
        caught = e.message;
      });
    });
    await drain(handled);
    assert.equal(caught, 'redis: nil');
  });

  it("an awaited rejection is the awaiting code's to handle, not the call's", async () => {
    const ctx = context();
    const run = runIn(ctx, async () => {
      try {
        await VuPromise.of(current(), Promise.reject(new Error('gone')));
      } catch {
        return 'caught';
      }
    });
    assert.equal(await run, 'caught');
    await drain(ctx);
  });

  it('when the run stops, the call stops waiting: for a promise without an answer, and for its timers', async () => {
    const ctx = context();
    runIn(ctx, () => {
      void VuPromise.of(current(), new Promise(() => {}));
    });
    const stop = new AbortController();
    const waiting = drain(ctx, stop.signal);
    setTimeout(() => stop.abort(), 10);
    await waiting;
  });
});
