/**
 * runPlan with a plan object (the programmatic API: hooks on the calling thread): setupTimeout
 * and teardownTimeout bound a hook that never settles, and a teardown() that fails makes the
 * verdict NO-GO with its reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SetupError } from '../../src/errors.ts';
import { definePlan } from '../../src/plan/load.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { runPlan } from '../../src/run/run.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const scenarios = {
  s: {
    executor: 'shared-iterations' as const,
    vus: 1,
    iterations: 3,
    flow: async (vu: { http: { get(path: string): Promise<unknown> } }) => {
      await vu.http.get('/hello');
    },
  },
};

describe('hook limits (runPlan with a plan object)', () => {
  it('a setup() that never settles fails at setupTimeout, before any load', async () => {
    const before = server.total();
    const plan = validatePlan(
      definePlan({
        target: server.url,
        scenarios,
        setupTimeout: '500ms',
        setup: () => new Promise(() => {}),
      }),
    );
    await assert.rejects(runPlan({ plan }), (e: Error) => {
      assert.ok(e instanceof SetupError, e.message);
      assert.equal(e.message, 'setup() failed: setup() did not finish within 500ms');
      return true;
    });
    assert.equal(server.total() - before, 0);
  });

  it('a teardown() that throws, or never settles within teardownTimeout, is NO-GO with the reason', async () => {
    const throwing = await runPlan({
      plan: validatePlan(
        definePlan({
          target: server.url,
          scenarios,
          teardown: () => {
            throw new Error('cannot clean');
          },
        }),
      ),
    });
    assert.equal(throwing.requests.total, 3);
    assert.equal(throwing.verdict.status, 'NO-GO');
    assert.deepEqual(throwing.verdict.reasons, ['teardown() failed: cannot clean']);

    const late = await runPlan({
      plan: validatePlan(
        definePlan({
          target: server.url,
          scenarios,
          teardownTimeout: '500ms',
          teardown: () => new Promise(() => {}),
        }),
      ),
    });
    assert.equal(late.verdict.status, 'NO-GO');
    assert.deepEqual(late.verdict.reasons, ['teardown() failed: teardown() did not finish within 500ms']);
  });

  it('setupTimeout and teardownTimeout are durations (a number is seconds)', () => {
    assert.throws(
      () => validatePlan(definePlan({ target: server.url, scenarios, setupTimeout: 'soon' as '1s' })),
      /setupTimeout/,
    );
    const plan = validatePlan(
      definePlan({ target: server.url, scenarios, setupTimeout: '2s', teardownTimeout: 1.5 }),
    );
    assert.deepEqual([plan.setupTimeoutMs, plan.teardownTimeoutMs], [2000, 1500]);
  });
});
