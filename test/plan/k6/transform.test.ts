/**
 * The rewrite of k6 scripts (src/plan/k6/transform.ts): which functions become async, which
 * calls are awaited, what is refused, and that lines stay where they were.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isK6Script } from '../../../src/plan/k6/detect.ts';
import { importsOf, lineOfOption, optionsLiteral, transformScript } from '../../../src/plan/k6/transform.ts';

const RESUME = '__loadproofK6.back(__loadproofK6.here(), ';

/**
 * The rewritten script without the one-line prelude, each `back(here(), await x)` (an await
 * that sets its VU back when it resumes) written `(await x)` to keep the patterns short.
 */
function body(source: string): string {
  const r = transformScript(source);
  assert.deepEqual(r.issues, []);
  return r.code
    .slice(r.code.indexOf(';const open') + 1)
    .replace(/^const open = [^;]*;/, '')
    .replaceAll(RESUME, '(');
}

const HEAD = "import http from 'k6/http';\nimport { sleep, group, check } from 'k6';\n";

describe('k6 transform', () => {
  it('awaits requests and sleep; the function making them becomes async', () => {
    const out = body(`${HEAD}export default function () {\n  const r = http.get('u');\n  sleep(1);\n}\n`);
    assert.match(out, /export default async function \(\) \{/);
    assert.match(out, /const r = \(await http\.get\('u'\)\);/);
    assert.match(out, /\(await sleep\(1\)\);/);
  });

  it("every await, the script's own too, sets the VU back when it resumes", () => {
    const src = `${HEAD}export default async function () {\n  const r = await http.get('u');\n  await Promise.resolve(r);\n}\n`;
    const code = transformScript(src).code;
    assert.match(code, /const r = __loadproofK6\.back\(__loadproofK6\.here\(\), await http\.get\('u'\)\);/);
    assert.match(code, /__loadproofK6\.back\(__loadproofK6\.here\(\), await Promise\.resolve\(r\)\);/);
    assert.doesNotMatch(code, /\(await /);
  });

  it('leaves functions that block nothing as they were', () => {
    const src = `${HEAD}function total(a) { return a.map((x) => x * 2).reduce((s, x) => s + x, 0); }\nexport default function () { http.get('u' + total([1])); }\n`;
    const out = body(src);
    assert.match(out, /^function total\(a\) \{ return a\.map\(\(x\) => x \* 2\)\.reduce/m);
    assert.match(out, /\(await http\.get\('u' \+ total\(\[1\]\)\)\)/);
  });

  it("blocking is followed through the script's functions, by name, to their callers", () => {
    const src = `${HEAD}const api = { login(n) { return http.post('l', n); } };\nfunction flow() { return api.login('a').status; }\nexport default function () { flow(); }\n`;
    const out = body(src);
    assert.match(out, /async login\(n\) \{ return \(await http\.post\('l', n\)\); \}/);
    assert.match(out, /async function flow\(\) \{ return \(await api\.login\('a'\)\)\.status; \}/);
    assert.match(out, /export default async function \(\) \{ \(await flow\(\)\); \}/);
  });

  it('array methods with a blocking callback run element by element; others stay native', () => {
    const src = `${HEAD}export default function () {\n  [1, 2].forEach((n) => http.get('u' + n));\n  const s = [1, 2].map((n) => http.get('u' + n).status);\n  const d = [1, 2].map((n) => n * 2);\n}\n`;
    const out = body(src);
    assert.match(
      out,
      /\(await __loadproofK6\.sequential\(\[1, 2\], "forEach", async \(n\) => \(await http\.get\('u' \+ n\)\)\)\);/,
    );
    assert.match(
      out,
      /const s = \(await __loadproofK6\.sequential\(\[1, 2\], "map", async \(n\) => \(await http\.get\('u' \+ n\)\)\.status\)\);/,
    );
    assert.match(out, /const d = \[1, 2\]\.map\(\(n\) => n \* 2\);/);
  });

  it('group callbacks and blocking check predicates become async; plain checks stay synchronous', () => {
    const src = `${HEAD}export default function () {\n  group('g', () => { http.get('u'); });\n  check(1, { a: (v) => v === 1 });\n  check(1, { b: () => http.get('u').status === 200 });\n}\n`;
    const out = body(src);
    assert.match(out, /\(await group\('g', async \(\) => \{ \(await http\.get\('u'\)\); \}\)\);/);
    assert.match(out, /^ {2}check\(1, \{ a: \(v\) => v === 1 \}\);/m);
    assert.match(
      out,
      /\(await check\(1, \{ b: async \(\) => \(await http\.get\('u'\)\)\.status === 200 \}\)\);/,
    );
  });

  it('calls of imported local functions and of callbacks are awaited', () => {
    const src = `${HEAD}import { login } from './lib.js';\nfunction twice(fn) { fn(); fn(); }\nexport default function () { login(); twice(() => http.get('u')); }\n`;
    const out = body(src);
    assert.match(out, /async function twice\(fn\) \{ \(await fn\(\)\); \(await fn\(\)\); \}/);
    assert.match(out, /\(await login\(\)\);/);
    assert.match(out, /\(await twice\(async \(\) => \(await http\.get\('u'\)\)\)\);/);
  });

  it("a comparator calling an outer function's parameter stays synchronous", () => {
    const src = `${HEAD}function sortBy(list, key) { return list.sort((a, b) => key(a) - key(b)); }\nexport default function () { http.get(sortBy(['b', 'a'], (x) => x)[0]); }\n`;
    const out = body(src);
    assert.match(
      out,
      /^function sortBy\(list, key\) \{ return list\.sort\(\(a, b\) => key\(a\) - key\(b\)\); \}/m,
    );
  });

  it('optional chains are awaited whole; class methods become async', () => {
    const src = `${HEAD}class Client { fetch(p) { return http.get(p); } }\nexport default function (c) { c?.fetch('x'); new Client().fetch('y'); }\n`;
    const out = body(src);
    assert.match(out, /class Client \{ async fetch\(p\) \{ return \(await http\.get\(p\)\); \} \}/);
    assert.match(out, /\(await c\?\.fetch\('x'\)\);/);
    assert.match(out, /\(await new Client\(\)\.fetch\('y'\)\);/);
  });

  it('keeps every line where it was', () => {
    const src = `${HEAD}export default function () {\n  [1].forEach((n) => {\n    http.get('u' + n);\n  });\n  throw new Error('here');\n}\n`;
    const r = transformScript(src);
    const lines = r.code.split('\n');
    assert.equal(lines.length, src.split('\n').length);
    assert.match(lines[6] as string, /throw new Error\('here'\)/, 'line 7 is still line 7');
  });

  it('refuses blocking code that must answer at once, naming its line', () => {
    const cases: [string, string, number][] = [
      ["const o = { get v() { return http.get('u'); } };", 'a getter', 3],
      ["class A { constructor() { http.get('u'); } }", 'a constructor', 3],
      ["function* g() { yield http.get('u'); }", 'a generator function', 3],
      ["['a'].sort(() => http.get('u').status);", 'a callback given to sort()', 3],
      ["'a'.replace(/a/, () => http.get('u').body);", 'a callback given to replace()', 3],
    ];
    for (const [code, what, line] of cases) {
      const r = transformScript(`${HEAD}${code}\nexport default function () {}\n`);
      assert.equal(r.issues.length, 1, code);
      assert.equal(r.issues[0]?.line, line, code);
      assert.ok(r.issues[0]?.message.startsWith(`${what} makes blocking calls`), r.issues[0]?.message);
    }
  });

  it('a syntax error is an issue at its line', () => {
    const r = transformScript(`${HEAD}\nconst = 1;\nexport default function () {}\n`);
    assert.equal(r.issues.length, 1);
    assert.equal(r.issues[0]?.line, 4);
  });

  it('finds imports, the options literal and the line of an option', () => {
    const src = `${HEAD}import ws from 'k6/ws';\nexport const options = {\n  scenarios: {\n    a: { executor: 'x' },\n  },\n};\n`;
    assert.deepEqual(
      importsOf(src).map((i) => [i.source, i.line]),
      [
        ['k6/http', 1],
        ['k6', 2],
        ['k6/ws', 3],
      ],
    );
    const lit = optionsLiteral(src);
    assert.equal(lineOfOption(lit, ['scenarios', 'a', 'executor']), 6);
    assert.equal(lineOfOption(lit, ['scenarios', 'b']), 5, 'the nearest key found');
  });
});

describe('k6 script detection', () => {
  it('is by imports of k6 modules, not by file name or text', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'k6-detect-'));
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    assert.equal(
      isK6Script(write('a.js', "import http from 'k6/http';\nexport default function () {}\n")),
      true,
    );
    assert.equal(isK6Script(write('b.js', "import { check } from 'k6';\n")), true);
    assert.equal(
      isK6Script(write('c.js', "// uses 'k6' in a comment\nexport default { target: 'x' };\n")),
      false,
    );
    assert.equal(isK6Script(write('d.js', "import { definePlan } from 'loadproof';\n")), false);
  });
});
