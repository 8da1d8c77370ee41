/**
 * The executor registry (`executors/index.ts`) is the one list of executors: the results
 * schema's executor enum and the scenario keys k6 scripts may use agree with it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { EXECUTOR_NAMES, EXECUTORS } from '../../src/executors/index.ts';
import { convertOptions, K6_EXECUTOR_KEYS } from '../../src/plan/k6/options.ts';

const schema = JSON.parse(readFileSync(new URL('../../schema/results.schema.json', import.meta.url), 'utf8'));

/** Every `executor` property's enum in the schema, wherever it is defined. */
function executorEnums(node: unknown, out: unknown[][] = []): unknown[][] {
  if (Array.isArray(node)) for (const x of node) executorEnums(x, out);
  else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'executor' && typeof v === 'object' && v !== null && 'enum' in v)
        out.push((v as { enum: unknown[] }).enum);
      executorEnums(v, out);
    }
  }
  return out;
}

/** The scenario keys of each executor in k6 v0.47 (lib/executor/*.go) that loadproof supports. */
const K6_V047_KEYS: Record<string, string[]> = {
  'constant-arrival-rate': ['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'],
  'ramping-arrival-rate': ['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'],
  'constant-vus': ['vus', 'duration'],
  'ramping-vus': ['startVUs', 'stages'],
  'per-vu-iterations': ['vus', 'iterations', 'maxDuration'],
  'shared-iterations': ['vus', 'iterations', 'maxDuration'],
};

describe('the executor registry, the results schema and k6 options', () => {
  it("the schema's executor enum is the registry's names, in its order", () => {
    const enums = executorEnums(schema);
    assert.ok(enums.length > 0, 'the schema names the executors somewhere');
    for (const e of enums) assert.deepEqual(e, EXECUTOR_NAMES);
  });

  it("k6 scripts may name the registry's executors, with k6's keys of each", () => {
    assert.deepEqual(Object.keys(K6_EXECUTOR_KEYS), EXECUTOR_NAMES);
    for (const name of EXECUTOR_NAMES) {
      const k6Keys = K6_EXECUTOR_KEYS[name] ?? [];
      assert.deepEqual([...k6Keys].sort(), [...(K6_V047_KEYS[name] ?? [])].sort(), name);
      const { keys, loadproofOnlyKeys = [] } = EXECUTORS[name];
      assert.deepEqual(
        keys.filter((k) => !k6Keys.includes(k)),
        [...loadproofOnlyKeys],
        `${name}: the keys k6 lacks are the ones marked loadproof's own`,
      );
    }
  });

  it('an executor outside the registry is refused in a k6 script, naming the registry', () => {
    const { issues } = convertOptions({ scenarios: { s: { executor: 'toString' } } });
    assert.deepEqual(issues, [
      {
        path: ['scenarios', 's', 'executor'],
        message: `unknown executor "toString"; expected one of ${EXECUTOR_NAMES.join(', ')}`,
      },
    ]);
  });

  it("a key of loadproof's own is refused in a k6 script", () => {
    const { issues } = convertOptions({
      scenarios: {
        s: { executor: 'constant-arrival-rate', rate: 1, duration: '1s', maxVUs: 1, onSaturation: 'queue' },
      },
    });
    assert.deepEqual(
      issues.map((i) => i.path),
      [['scenarios', 's', 'onSaturation']],
    );
  });
});
