/** The services' JSON body parser: what it refuses, with which path, and what it leaves alone. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_DEPTH, parseStrictJson, RequestBodyError } from '../../services/shared/strict-json.ts';

function refusal(text: string): { status: number; error: string; path: string | undefined } {
  try {
    parseStrictJson(text);
  } catch (e) {
    assert.ok(e instanceof RequestBodyError, String(e));
    return { status: e.status, error: e.error, path: e.path };
  }
  assert.fail(`accepted ${text}`);
}

describe('parseStrictJson', () => {
  it('gives what JSON.parse gives for valid bodies, escapes and odd keys included', () => {
    for (const text of [
      '{"a":1,"b":[1,{"c":"x\\\\"},[]],"d":{"e":null}}',
      '{"q":"say \\"hi\\"","p":"back\\\\\\\\","u":"\\u00e9\\ud83d\\udcaa","k":{"1":{},"b":{"1":2}}}',
      '[{"a":1},{"a":1}]',
      '"just text"',
      ' { "a" : [ 1 , 2 ] , "b" : { } } ',
    ])
      assert.deepEqual(parseStrictJson(text), JSON.parse(text), text);
  });

  it('a key given twice in one object: 400 naming it, also spelled with an escape or nested', () => {
    assert.deepEqual(refusal('{"a":1,"a":2}'), { status: 400, error: 'duplicate_key', path: 'a' });
    assert.deepEqual(refusal('{"a":1,"\\u0061":2}'), { status: 400, error: 'duplicate_key', path: 'a' });
    assert.deepEqual(refusal('{"x":[{"b":1},{"1":{},"b":{"c":1,"d":2,"c":3}}]}'), {
      status: 400,
      error: 'duplicate_key',
      path: 'x[1].b.c',
    });
  });

  it('__proto__ as a key, even escaped: 400 forbidden_key; as a value it is only text', () => {
    assert.deepEqual(refusal('{"a":{"__proto__":{"x":1}}}'), {
      status: 400,
      error: 'forbidden_key',
      path: 'a.__proto__',
    });
    assert.deepEqual(refusal('{"\\u005f_proto__":1}'), {
      status: 400,
      error: 'forbidden_key',
      path: '__proto__',
    });
    assert.deepEqual(parseStrictJson('{"note":"__proto__"}'), { note: '__proto__' });
  });

  it('NUL and lone surrogates in values and keys: 422 with the path; a key is shown escaped', () => {
    assert.deepEqual(refusal('{"a":[1,"x\\u0000"]}'), { status: 422, error: 'validation', path: 'a[1]' });
    assert.deepEqual(refusal('{"a":{"b\\u0000c":1}}'), {
      status: 422,
      error: 'validation',
      path: 'a.b\\u0000c',
    });
    assert.deepEqual(refusal('{"a":"\\ud800"}'), { status: 422, error: 'validation', path: 'a' });
    assert.deepEqual(refusal('{"a":"\\udc00\\ud800"}'), { status: 422, error: 'validation', path: 'a' });
  });

  it(`more than ${MAX_DEPTH} levels: 422 where it gets too deep; ${MAX_DEPTH} are fine`, () => {
    const deep = (n: number) => `{"a":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
    assert.doesNotThrow(() => parseStrictJson(deep(MAX_DEPTH)));
    const r = refusal(deep(MAX_DEPTH + 1));
    assert.equal(r.status, 422);
    assert.equal(r.path, `a${'[0]'.repeat(MAX_DEPTH - 1)}`);
    assert.equal(refusal(deep(100_000)).status, 422);
  });

  it('malformed JSON: 400 malformed_json', () => {
    for (const text of ['', '{', '{"a":}', '{"a":1,}', '"unterminated', '{"a" 1}'])
      assert.deepEqual(refusal(text), { status: 400, error: 'malformed_json', path: undefined }, text);
  });
});
