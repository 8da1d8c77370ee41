/**
 * The one table of k6's API (src/plan/k6/k6-api.ts) says what the run path and the convert path
 * do: each module loadproof loads in k6's place exports exactly the table's exports; what the
 * table marks blocking is awaited; what convert writes exists in the `k6` namespace of the public
 * API, and what it has no equivalent for becomes a stub; other k6 modules and request params are
 * refused by name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as k6 from '../../../src/plan/k6/api.ts';
import { convertCode } from '../../../src/plan/k6/convert-code.ts';
import { K6_API, K6_REQUEST_PARAMS, K6_RESPONSE_FIELDS } from '../../../src/plan/k6/k6-api.ts';
import { K6_MODULES, unsupportedImport } from '../../../src/plan/k6/modules.ts';
import { transformScript } from '../../../src/plan/k6/transform.ts';

/** `k6.encoding.b64encode` → the value it names in the public `k6` namespace. */
function inNamespace(path: string): unknown {
  const [root, ...rest] = path.split('.');
  assert.equal(root, 'k6', path);
  return rest.reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], k6);
}

describe('the table of k6 API (k6-api.ts)', () => {
  it("each module loadproof loads in k6's place exports the table's exports, and its default the same", async () => {
    for (const [name, m] of Object.entries(K6_API)) {
      const mod = (await import(
        new URL(m.runtime, new URL('../../../src/plan/k6/', import.meta.url)).href
      )) as Record<string, unknown>;
      const named = Object.keys(mod)
        .filter((k) => k !== 'default')
        .sort();
      assert.deepEqual(named, Object.keys(m.exports).sort(), `${name}: its named exports`);
      assert.deepEqual(
        Object.keys(mod.default as object).sort(),
        Object.keys(m.exports).sort(),
        `${name}: its default export`,
      );
    }
    assert.deepEqual(Object.keys(K6_MODULES), Object.keys(K6_API));
  });

  it('refuses other k6 modules by name, xk6 extensions with their own reason', () => {
    assert.equal(unsupportedImport('k6/http'), undefined);
    assert.match(
      unsupportedImport('k6/ws') ?? '',
      /^"k6\/ws" is not supported by loadproof \(supported: k6, k6\/http, /,
    );
    assert.equal(
      unsupportedImport('k6/x/kafka'),
      '"k6/x/kafka" is an xk6 extension: not supported by loadproof',
    );
  });

  it('what the table marks blocking is awaited, by name and through the namespace', () => {
    for (const [name, m] of Object.entries(K6_API))
      for (const [e, entry] of Object.entries(m.exports)) {
        if (entry.blocking !== true) continue;
        const named = transformScript(
          `import { ${e} } from '${name}';\nexport default function () { ${e}(1); }\n`,
        );
        assert.match(
          named.code,
          new RegExp(`export default async function \\(\\) \\{ .*await ${e}\\(1\\)`),
          `${name} ${e}`,
        );
        const whole = transformScript(
          `import * as m from '${name}';\nexport default function () { m.${e}(1); }\n`,
        );
        assert.match(whole.code, new RegExp(`await m\\.${e}\\(1\\)`), `${name} m.${e}`);
      }
  });

  it("the methods of a class's instances the table marks blocking exist, and are awaited", async () => {
    for (const [name, m] of Object.entries(K6_API))
      for (const [e, entry] of Object.entries(m.exports)) {
        if (!entry.instanceBlocks) continue;
        const mod = (await import(
          new URL(m.runtime, new URL('../../../src/plan/k6/', import.meta.url)).href
        )) as Record<string, { prototype: Record<string, unknown> }>;
        for (const method of entry.instanceBlocks) {
          assert.equal(typeof mod[e]?.prototype[method], 'function', `${name} ${e}.${method}`);
          const named = transformScript(
            `import { ${e} } from '${name}';\nconst c = new ${e}({});\nexport default function () { c.${method}(1); }\n`,
          );
          assert.match(named.code, new RegExp(`await c\\.${method}\\(1\\)`), `${name} ${e}.${method}`);
          const whole = transformScript(
            `import m from '${name}';\nlet c;\nc = new m.${e}({});\nexport default function () { c.${method}(1); }\n`,
          );
          assert.match(whole.code, new RegExp(`await c\\.${method}\\(1\\)`), `${name} m.${e}.${method}`);
        }
      }
  });

  it('what convert writes is in the public k6 namespace; what has no equivalent is a stub when imported', () => {
    for (const [name, m] of Object.entries(K6_API)) {
      if (m.convertedWhole) assert.equal(typeof inNamespace(m.convertedWhole), 'object', m.convertedWhole);
      for (const [e, entry] of Object.entries(m.exports)) {
        const as = entry.convert;
        if ('to' in as && as.to.startsWith('k6.')) assert.equal(typeof inNamespace(as.to), 'function', as.to);
        if ('alias' in as) assert.notEqual(inNamespace(as.alias), undefined, as.alias);
        if ('none' in as) {
          const { code } = convertCode(`import { ${e} as it } from '${name}';\n`, 'url');
          assert.match(code, /^const it: any = k6\.unsupported\(/m, `${name} ${e}`);
        }
      }
    }
    for (const [field, as] of Object.entries(K6_RESPONSE_FIELDS))
      if ('to' in as && as.to.startsWith('k6.')) assert.equal(typeof inNamespace(as.to), 'function', field);
  });

  it('request params: those convert writes k6.params takes, the others it refuses by name', () => {
    for (const [param, p] of Object.entries(K6_REQUEST_PARAMS)) {
      const value = param === 'responseCallback' ? k6.expectedStatuses(200) : param === 'tags' ? {} : 1;
      if (p.convert === 'none')
        assert.throws(
          () => k6.params({ [param]: value }),
          new RegExp(`${param} has no loadproof equivalent`),
        );
      else assert.doesNotThrow(() => k6.params({ [param]: value }), param);
    }
    assert.throws(() => k6.params({ compression: 'gzip' }), /compression has no loadproof equivalent/);
  });
});
