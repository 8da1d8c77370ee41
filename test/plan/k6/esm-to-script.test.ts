/**
 * A module made a realm script (src/plan/k6/realm/esm-to-script.ts): imported names read through
 * their module wherever they are not shadowed, exports defined as getters before the code runs,
 * lines kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moduleToScript } from '../../../src/plan/k6/realm/esm-to-script.ts';

describe('moduleToScript', () => {
  it('reads imported names through their module, except where a scope declares the same name', () => {
    const { code, imports, esm } = moduleToScript(
      [
        "import { check } from 'k6';",
        "import http from 'k6/http';",
        'export function run(check) { return check; }',
        'export const sets = { check, other: () => { const http = 1; return http; } };',
        "export default function () { check(http.get('x'), {}); try {} catch (http) { http; } }",
      ].join('\n'),
    );
    assert.equal(esm, true);
    assert.deepEqual(
      imports.map((i) => [i.specifier, i.line]),
      [
        ['k6', 1],
        ['k6/http', 2],
      ],
    );
    const lines = code.split('\n');
    assert.equal(lines.length, 6, code);
    assert.match(lines[2] as string, /^function run\(check\) \{ return check; \}$/);
    assert.match(
      lines[3] as string,
      /\{ check: __i0\["check"\], other: \(\) => \{ const http = 1; return http; \} \}/,
    );
    assert.match(
      lines[4] as string,
      /__i0\["check"\]\(__i1\.default\.get\('x'\), \{\}\); try \{\} catch \(http\) \{ http; \}/,
    );
    assert.match(
      lines[0] as string,
      /defineExports\(\{"run": \(\) => run, "sets": \(\) => sets, "default": \(\) => __default\}\)/,
    );
  });

  it('keeps a file without import or export as CommonJS, its literal require() calls listed', () => {
    const { esm, imports } = moduleToScript("const a = require('./a.js');\nmodule.exports = { a };\n");
    assert.equal(esm, false);
    assert.deepEqual(imports, [{ specifier: './a.js', required: true, line: 1 }]);
  });
});
