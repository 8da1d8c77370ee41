/**
 * The errors page names every exit code the CLI uses and every error class's stable code, with
 * the exit code that class gives: a code added to src/errors.ts and left out of the docs fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as errors from '../../src/errors.ts';
import { REPO } from './markdown.ts';

const page = readFileSync(join(REPO, 'docs/errors-and-exit-codes.md'), 'utf8');
const rows = page.split('\n').filter((line) => line.startsWith('| '));

function errorClasses(): errors.LoadproofError[] {
  return Object.values(errors).flatMap((value) => {
    if (
      typeof value !== 'function' ||
      !(value === errors.LoadproofError || value.prototype instanceof errors.LoadproofError)
    )
      return [];
    const Class = value as unknown as new (...args: unknown[]) => errors.LoadproofError;
    return [Class === errors.PlanValidationError ? new Class([], 'plan.ts') : new Class('x')];
  });
}

describe('docs/errors-and-exit-codes.md', () => {
  it('has a row for every exit code', () => {
    const codes = Object.values(errors.EXIT);
    assert.equal(codes.length, 5);
    for (const code of codes)
      assert.ok(
        rows.some((row) => row.startsWith(`| ${code} |`)),
        `exit code ${code} has no row`,
      );
  });

  it('has a row for every error class, with its code and exit code', () => {
    const instances = errorClasses();
    assert.ok(instances.length >= 9, `only ${instances.length} error classes found`);
    for (const err of instances) {
      const row = rows.find((r) => r.startsWith(`| \`${err.constructor.name}\` |`));
      assert.ok(row, `${err.constructor.name} has no row`);
      assert.ok(row.includes(`| \`${err.code}\` | ${err.exitCode} |`), `${err.constructor.name}: ${row}`);
    }
  });
});
