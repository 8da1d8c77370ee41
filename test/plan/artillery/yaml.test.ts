/**
 * YAML the parser accepts but whose values cannot be built: an alias before its anchor, aliases
 * that expand past the limit. Each is an error naming the script (and the line of the alias),
 * exit 2, not a ReferenceError with a stack trace; and a key that is a list or a map. Found by the
 * fuzzer (test/fuzz).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PlanLoadError } from '../../../src/errors.ts';
import { readYamlScript } from '../../../src/plan/artillery/yaml.ts';

function script(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'loadproof-yaml-')), 'script.yml');
  writeFileSync(file, text);
  return file;
}

describe('YAML values that cannot be built', () => {
  it('an alias before its anchor names the file and the alias line', () => {
    const file = script('config:\n  target: http://127.0.0.1:9\n  phases: *phases\nx: &phases []\n');
    assert.throws(
      () => readYamlScript(file, 'script.yml'),
      (e: Error) => {
        assert.ok(e instanceof PlanLoadError);
        assert.equal(e.exitCode, 2);
        assert.equal(
          e.message,
          'script.yml:3: YAML error: Unresolved alias (the anchor must be set before the alias): phases',
        );
        return true;
      },
    );
  });

  it('aliases that expand past the limit are refused, not built', () => {
    const levels = ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]'];
    for (const [i, name] of ['b', 'c', 'd', 'e'].entries()) {
      const prev = 'abcd'[i] as string;
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const file = script(`${levels.join('\n')}\n`);
    assert.throws(
      () => readYamlScript(file, 'script.yml'),
      (e: Error) =>
        e instanceof PlanLoadError && /^script\.yml: YAML error: Excessive alias count/.test(e.message),
    );
  });

  it('a key that is a list, a map or binary names its line, with no warning printed (found by the fuzzer)', () => {
    const file = script('config:\n  target: http://127.0.0.1:9\n  ? { stage: local }\n  : 1\n');
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      assert.throws(
        () => readYamlScript(file, 'script.yml'),
        (e: Error) =>
          e instanceof PlanLoadError &&
          e.message === 'script.yml:3: YAML error: a key must be a name, not a list, a map or binary data',
      );
      assert.throws(
        () => readYamlScript(script('config:\n  ? !!binary aGk=\n  : 1\n'), 'script.yml'),
        /^Error: script\.yml:2: YAML error: a key must be a name/,
      );
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });
});
