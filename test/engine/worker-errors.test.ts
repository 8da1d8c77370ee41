/**
 * An error raised in a worker thread keeps its class, code and exit code on the main thread.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startWorkers } from '../../src/engine/threads.ts';
import {
  type ErrorData,
  errorFromData,
  errorToData,
  InputFileError,
  LoadproofError,
  PlanLoadError,
  PlanValidationError,
  SetupError,
  ThresholdSyntaxError,
  UsageError,
} from '../../src/errors.ts';
import { outsideDir, writePlan } from '../helpers/cli.ts';

const roundTrip = (e: unknown) => errorFromData(structuredClone(errorToData(e)) as ErrorData);

describe('errors across the thread boundary', () => {
  it('each error class comes back as itself, with its code, exit code and message', () => {
    for (const e of [
      new PlanLoadError('cannot read plan.ts'),
      new UsageError('--workers must be a positive integer'),
      new SetupError('setup() failed: down'),
      new ThresholdSyntaxError('bad threshold'),
      new InputFileError('no results.json'),
    ]) {
      const back = roundTrip(e);
      assert.equal(back.constructor, e.constructor, e.constructor.name);
      assert.equal((back as LoadproofError).code, e.code);
      assert.equal((back as LoadproofError).exitCode, e.exitCode);
      assert.equal(back.message, e.message);
    }
  });

  it('a PlanValidationError keeps its issues and file', () => {
    const e = new PlanValidationError([{ path: 'scenarios.s.rate', message: 'must be positive' }], 'plan.ts');
    const back = roundTrip(e);
    assert.ok(back instanceof PlanValidationError);
    assert.deepEqual(back.issues, e.issues);
    assert.equal(back.file, 'plan.ts');
    assert.equal(back.message, e.message);
    assert.equal(back.exitCode, 2);
  });

  it('an error of no known class keeps its name and message; a value that is no Error its text', () => {
    const back = roundTrip(new TypeError('x is not a function'));
    assert.equal(back.name, 'TypeError');
    assert.equal(back.message, 'x is not a function');
    assert.equal(back instanceof LoadproofError, false);
    assert.equal(roundTrip('plain text').message, 'plain text');
  });

  it('a plan that fails validation only in a worker fails the start with a PlanValidationError', async () => {
    const file = writePlan(
      outsideDir(),
      'plan.ts',
      `import { isMainThread } from 'node:worker_threads';
import { definePlan } from 'loadproof';
export default definePlan({
  target: 'http://127.0.0.1:9',
  scenarios: { s: { executor: 'constant-arrival-rate', rate: isMainThread ? 1 : -1, duration: '1s', maxVUs: 1, flow: async () => {} } },
});
`,
    );
    const sink = { onTick: () => {}, onLog: () => {} };
    await assert.rejects(
      startWorkers({ file, count: 1, setup: undefined, env: {}, overrides: {}, planOptions: {} }, sink),
      (e: unknown) => {
        assert.ok(e instanceof PlanValidationError, String(e));
        assert.equal(e.exitCode, 2);
        assert.ok(
          e.issues.some((i) => i.path.includes('rate')),
          e.message,
        );
        return true;
      },
    );
  });
});
