/**
 * The k6 page of the docs (docs/k6-scripts.md) lists k6's modules one bullet each: it must say what
 * the one table (k6-api.ts) says, so neither can drift. Every module of the table has a bullet
 * naming each of its exports; every module a bullet names is in the table; every module the
 * "Errors" bullet names is refused.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Selection } from '../../../src/plan/k6/html-selection.ts';
import { K6_API } from '../../../src/plan/k6/k6-api.ts';
import { Client as RedisClient } from '../../../src/plan/k6/modules/redis.ts';
import { Client as TracingClient } from '../../../src/plan/k6/modules/tracing.ts';
import { unsupportedImport } from '../../../src/plan/k6/modules.ts';

const PAGE = readFileSync(new URL('../../../docs/k6-scripts.md', import.meta.url), 'utf8');

/** The page is the k6 section: all of it. */
function k6Section(): string {
  assert.ok(PAGE.startsWith('# Running k6 scripts\n'), 'docs/k6-scripts.md is the "Running k6 scripts" page');
  return PAGE;
}

/** The section's top-level bullets, each whole (its continuation lines joined). */
function bullets(): string[] {
  return k6Section()
    .split(/\n(?=- )/)
    .filter((b) => b.startsWith('- '))
    .map((b) => b.split(/\n\n/)[0] as string);
}

const spans = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
const isModule = (s: string) => /^k6(\/[\w/-]+)?$/.test(s);
/** The modules a bullet is about: those named before its first ": ". */
const headModules = (b: string) => spans(b.slice(0, b.indexOf(': '))).filter(isModule);
/** Every identifier written in code in the bullet (`http.cookieJar()` gives http and cookieJar). */
const identifiers = (b: string) => new Set(spans(b).flatMap((s) => s.match(/[A-Za-z_$][\w$]*/g) ?? []));

describe("the k6 page's modules", () => {
  it('each module of the table has a bullet that names every one of its exports', () => {
    const all = bullets();
    for (const [name, m] of Object.entries(K6_API)) {
      const bullet = all.find((b) => headModules(b).includes(name));
      assert.ok(bullet, `docs/k6-scripts.md: no bullet for ${name}`);
      const named = identifiers(bullet);
      for (const e of Object.keys(m.exports))
        assert.ok(named.has(e), `docs/k6-scripts.md: ${name}'s bullet does not name ${e}`);
    }
  });

  it("each method of the classes scripts get (redis's and tracing's Client, html's Selection) is named in its module's bullet", () => {
    const all = bullets();
    const classes: [string, { prototype: object }][] = [
      ['k6/experimental/redis', RedisClient],
      ['k6/experimental/tracing', TracingClient],
      ['k6/html', Selection],
    ];
    for (const [name, cls] of classes) {
      const bullet = all.find((b) => headModules(b).includes(name)) ?? '';
      const named = identifiers(bullet);
      const methods = Object.getOwnPropertyNames(cls.prototype).filter((m) => m !== 'constructor');
      assert.ok(methods.length > 0, name);
      for (const m of methods)
        assert.ok(named.has(m), `docs/k6-scripts.md: ${name}'s bullet does not name ${m}`);
    }
  });

  it('each module a bullet is about is in the table', () => {
    for (const b of bullets())
      for (const name of headModules(b))
        assert.ok(
          Object.hasOwn(K6_API, name),
          `docs/k6-scripts.md lists ${name} as supported; the table has no such module`,
        );
  });

  it('each module the Errors bullet names is refused, and none of the table', () => {
    const errors = bullets().find((b) => b.startsWith('- Errors'));
    assert.ok(errors, 'docs/k6-scripts.md: no Errors bullet');
    const refused = spans(errors).filter(isModule);
    assert.ok(refused.length >= 5, refused.join(', '));
    for (const name of refused) {
      assert.ok(!Object.hasOwn(K6_API, name), `${name} is both supported and refused in docs/k6-scripts.md`);
      assert.ok(unsupportedImport(name), `docs/k6-scripts.md says ${name} is refused; loadproof loads it`);
    }
    assert.match(unsupportedImport('k6/experimental/browser') ?? '', /issue 34/);
  });
});
