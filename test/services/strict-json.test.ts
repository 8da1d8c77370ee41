/** The services' JSON body parser: what it refuses, with which path, and what it leaves alone. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_DEPTH, parseStrictJson, RequestBodyError } from '../../services/shared/strict-json.ts';

function refusal(text: string | Buffer): { status: number; error: string; path: string | undefined } {
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

  it('a number that would not be stored as sent: 422 naming it (1e400, 30 digits, 2^53 + 1, 1e-400)', () => {
    for (const [text, path] of [
      ['{"a":{"b":1e400}}', 'a.b'],
      ['{"a":[1,-1E+400]}', 'a[1]'],
      ['{"n":123456789012345678901234567890}', 'n'],
      ['{"n":9007199254740993}', 'n'],
      ['{"n":0.30000000000000000001}', 'n'],
      ['{"n":1e-400}', 'n'],
      ['[2,3e999]', '[1]'],
    ] as const)
      assert.deepEqual(refusal(text), { status: 422, error: 'validation', path }, text);
  });

  it('numbers a double holds as sent are left alone, however spelled', () => {
    for (const text of [
      '{"a":0,"b":-0,"c":0.1,"d":1.0,"e":1e20,"f":9007199254740991,"g":-9007199254740992,"h":2.5e-7}',
      '[1E+2,0.000,100e-2,123.456e1,5e-324,1.7976931348623157e308]',
    ])
      assert.deepEqual(parseStrictJson(text), JSON.parse(text), text);
  });

  it('bytes that are not UTF-8: 422 naming the string that holds them (a value or a key), never U+FFFD', () => {
    const body = (before: string, bytes: number[], after: string) =>
      Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
    assert.deepEqual(refusal(body('{"a":{"msg":"ok', [0xff], 'ok"}}')), {
      status: 422,
      error: 'validation',
      path: 'a.msg',
    });
    assert.deepEqual(refusal(body('{"list":["x","', [0xc3], '"]}')), {
      status: 422,
      error: 'validation',
      path: 'list[1]',
    });
    // An overlong spelling of "/", and a UTF-16 surrogate spelled in UTF-8: both invalid.
    assert.equal(refusal(body('{"k":"', [0xc0, 0xaf], '"}')).path, 'k');
    assert.equal(refusal(body('{"k":"', [0xed, 0xa0, 0x80], '"}')).path, 'k');
    assert.deepEqual(refusal(body('{"a":{"', [0xfe], 'key":1}}')), {
      status: 422,
      error: 'validation',
      path: 'a.\\xfekey',
    });
    const valid = Buffer.from('{"text":"caf\u00e9 \ud83d\udcaa \ufffd"}');
    assert.deepEqual(parseStrictJson(valid), JSON.parse(valid.toString()));
  });
});
