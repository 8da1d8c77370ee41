/** Validates a results object against the JSON Schema in the repository. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/results.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, validateFormats: false });
const validate = ajv.compile(schema);

export function assertMatchesSchema(results: unknown): void {
  const ok = validate(results);
  assert.ok(
    ok,
    `results.json does not match schema/results.schema.json:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`,
  );
}
