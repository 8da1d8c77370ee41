/**
 * An executor is one folder, `src/executors/<name>/`, holding its scenario's types (`config.ts`),
 * what it means (`definition.ts`) and how it runs (`run.ts`); the registries of both sides list
 * the same names in the same order (`run-registry.test.ts`).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { EXECUTOR_NAMES } from '../../src/executors/index.ts';

const EXECUTORS_DIR = new URL('../../src/executors/', import.meta.url);

const folders = readdirSync(EXECUTORS_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

describe('executor folders', () => {
  it('are the registry: one folder per executor and no other folder', () => {
    assert.deepEqual([...folders].sort(), [...EXECUTOR_NAMES].sort());
  });

  it('each hold config.ts, definition.ts and run.ts', () => {
    for (const name of EXECUTOR_NAMES) {
      const files = readdirSync(new URL(`${name}/`, EXECUTORS_DIR)).sort();
      assert.deepEqual(files, ['config.ts', 'definition.ts', 'run.ts'], name);
    }
  });
});
