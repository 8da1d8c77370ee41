/**
 * The pieces of Artillery's language that run per request: `{{ }}` templates, filtrex
 * expressions (ifTrue, ensure conditions) and the JSONPath of captures.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compileExpression,
  ExpressionError,
  parseExpression,
} from '../../../src/plan/artillery/expression.ts';
import { compileJsonPath, JsonPathError, queryJsonPath } from '../../../src/plan/artillery/jsonpath.ts';
import {
  getPath,
  hasPath,
  randomNumber,
  randomString,
  setPath,
  template,
  templateFunctionsIn,
} from '../../../src/plan/artillery/template.ts';

const ctx = (vars: Record<string, unknown>) => ({ vars });

describe('artillery templates', () => {
  it('a string that is one template keeps the value and its type', () => {
    const c = ctx({ n: 42, o: { a: [1, 2] }, s: 'x' });
    assert.equal(template('{{ n }}', c), 42);
    assert.deepEqual(template('{{o}}', c), { a: [1, 2] });
    assert.equal(template('{{ o.a[1] }}', c), 2);
  });

  it('inside a longer string: objects as JSON, a missing variable as "undefined"', () => {
    const c = ctx({ n: 42, o: { a: 1 } });
    assert.equal(template('/users/{{ n }}?o={{ o }}', c), '/users/42?o={"a":1}');
    assert.equal(template('/x/{{ missing }}', c), '/x/undefined');
    assert.equal(template('no template', c), 'no template');
  });

  it('renders objects and arrays deeply into a copy, keys included', () => {
    const c = ctx({ k: 'name', v: 7 });
    const src = { '{{ k }}': '{{ v }}', list: ['{{ v }}', 'a{{ v }}'], n: 1, b: true };
    assert.deepEqual(template(src, c), { name: 7, list: [7, 'a7'], n: 1, b: true });
    assert.deepEqual(src.list, ['{{ v }}', 'a{{ v }}'], 'the source is not changed');
  });

  it('$env.NAME and $processEnvironment.NAME are paths into the environment', () => {
    const env = { TOKEN: 't0k' };
    assert.equal(template('Bearer {{ $env.TOKEN }}', ctx({ $env: env })), 'Bearer t0k');
    assert.equal(template('{{ $processEnvironment.TOKEN }}', ctx({ $processEnvironment: env })), 't0k');
  });

  it('$randomNumber(a, b) gives integers from a to b; $randomString(n) n characters', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const v = Number(template('{{ $randomNumber(1, 5) }}', ctx({})));
      assert.ok(Number.isInteger(v) && v >= 1 && v <= 5, String(v));
      seen.add(v);
    }
    assert.deepEqual([...seen].sort(), [1, 2, 3, 4, 5]);
    const s = template('id-{{ $randomString(12) }}-{{ n }}', ctx({ n: 3 })) as string;
    assert.match(s, /^id-[0-9a-z]{12}-3$/);
    assert.equal(randomString(0), '');
    assert.equal(randomNumber(4, 4), 4);
  });

  it('lists the template functions a value names', () => {
    assert.deepEqual(templateFunctionsIn({ a: ['{{ $randomNumber(1,2) }}'], b: '{{ $nope() }}' }), [
      '$randomNumber',
      '$nope',
    ]);
  });

  it('paths: get, has and set as lodash does', () => {
    const o: Record<string, unknown> = { a: { b: [{ c: 1 }] }, 'x.y': 2 };
    assert.equal(getPath(o, 'a.b[0].c'), 1);
    assert.equal(getPath(o, "a['b'][0]['c']"), 1);
    assert.equal(getPath(o, 'x.y'), 2, 'a dotted key is tried whole first');
    assert.equal(getPath(o, 'a.z.q'), undefined);
    assert.equal(hasPath(o, 'a.b[0].c'), true);
    assert.equal(hasPath(o, 'a.b[1]'), false);
    setPath(o, 'n.m[0]', 5);
    assert.deepEqual(o.n, { m: [5] });
  });
});

describe('artillery expressions (filtrex)', () => {
  const run = (src: string, vars: Record<string, unknown> = {}) => compileExpression(src)(vars);

  it('compares, combines and computes as filtrex does (1 or 0)', () => {
    assert.equal(run('page < 10', { page: 3 }), 1);
    assert.equal(run('page < 10 and not done', { page: 3, done: 0 }), 1);
    assert.equal(run('a == "x" or b > 2', { a: 'y', b: 1 }), 0);
    assert.equal(run('(a + 2) * 3 ^ 2', { a: 1 }), 27);
    assert.equal(run('status in (200, 201)', { status: 201 }), 1);
    assert.equal(run('status not in (200, 201)', { status: 201 }), 0);
    assert.equal(run('max(a, 4) + abs(-2)', { a: 1 }), 6);
    assert.equal(run('x ? 1 : 2', { x: 0 }), 2);
    assert.equal(run('user.age >= 18', { user: { age: 20 } }), 1);
    assert.equal(run('productId', { productId: 'p1' }), 'p1');
  });

  it('a dotted metric name is one symbol', () => {
    assert.equal(run('http.response_time.p95 < 250', { 'http.response_time.p95': 100 }), 1);
  });

  it('malformed expressions are errors before the run', () => {
    for (const bad of ['a <', 'a = 1', '(a', 'foo(1)', '"open', '']) {
      assert.throws(() => parseExpression(bad), ExpressionError, bad);
    }
  });
});

describe('artillery JSONPath', () => {
  const doc = {
    id: 'abc',
    items: [
      { id: 1, status: 'open', tags: ['a'] },
      { id: 2, status: 'closed' },
      { id: 3, status: 'open' },
    ],
    nested: { deep: { id: 'd' } },
  };
  const q = (p: string) => queryJsonPath(compileJsonPath(p), doc);

  it('selects by names, indexes, wildcards, slices, unions, recursion and filters', () => {
    assert.deepEqual(q('$.id'), ['abc']);
    assert.deepEqual(q('id'), ['abc'], 'the leading $ may be left out');
    assert.deepEqual(q('$.items[0].id'), [1]);
    assert.deepEqual(q('$.items[-1].id'), [3]);
    assert.deepEqual(q("$['items'][1]['status']"), ['closed']);
    assert.deepEqual(q('$.items[*].id'), [1, 2, 3]);
    assert.deepEqual(q('$.items[0:2].id'), [1, 2]);
    assert.deepEqual(q('$.items[0,2].id'), [1, 3]);
    assert.deepEqual(q("$.items[?(@.status == 'open')].id"), [1, 3]);
    assert.deepEqual(q('$.items[?(@.id > 1)].id'), [2, 3]);
    assert.deepEqual(q('$.items[?(@.tags)].id'), [1]);
    assert.deepEqual(q('$..deep.id'), ['d']);
    assert.deepEqual(q('$.missing'), []);
  });

  it('unsupported or malformed paths are errors before the run', () => {
    for (const bad of ['$.items[?(@.a && @.b)]', '$.items[', '$.a b']) {
      assert.throws(() => compileJsonPath(bad), JsonPathError, bad);
    }
  });
});
