/** vu.instance: VUs and iterations of the process so far, read by the flows as they run. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { InstanceCounts } from '../../src/engine/instance-counts.ts';
import { definePlan } from '../../src/plan/load.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { runPlan } from '../../src/run/run.ts';

describe('instance counts', () => {
  it('a flow sees the VUs made, the VUs running and the iterations completed before its own', async () => {
    const seen: { initialized: number; active: number; completed: number }[] = [];
    const plan = validatePlan(
      definePlan({
        target: 'http://127.0.0.1:9',
        thresholds: {},
        scenarios: {
          s: {
            executor: 'per-vu-iterations',
            vus: 2,
            iterations: 3,
            flow: async (vu) => {
              const i = vu.instance;
              seen.push({
                initialized: i.vusInitialized,
                active: i.vusActive,
                completed: i.iterationsCompleted,
              });
              await vu.sleep('20ms');
            },
          },
        },
      }),
    );
    await runPlan({ plan, workers: 1, onLog: () => {} });
    assert.equal(seen.length, 6);
    const shown = JSON.stringify(seen);
    assert.ok(
      seen.every((s) => s.active >= 1 && s.active <= 2),
      `this VU runs, at most both do: ${shown}`,
    );
    assert.equal(seen.at(-1)?.initialized, 2, shown);
    const completed = seen.map((s) => s.completed);
    // Read in time order, a count only grows; each VU's third iteration follows its own two.
    assert.deepEqual(
      completed,
      [...completed].sort((a, b) => a - b),
      shown,
    );
    assert.ok((completed.at(-1) as number) >= 2 && (completed.at(-1) as number) <= 5, shown);
  });

  it('counts added in another thread are seen here', async () => {
    const counts = new InstanceCounts();
    const code = `
      const { workerData } = require('node:worker_threads');
      const slots = new BigInt64Array(workerData);
      for (let i = 0; i < 1000; i++) Atomics.add(slots, 2, 1n);
    `;
    const w = new Worker(code, { eval: true, workerData: counts.buffer });
    for (let i = 0; i < 1000; i++) counts.iterationCompleted();
    await new Promise((resolve) => w.once('exit', resolve));
    assert.equal(counts.iterationsCompleted, 2000);
  });
});
