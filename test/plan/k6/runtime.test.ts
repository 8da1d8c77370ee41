/** The k6 runtime pieces that need no server: sequential array methods, json selectors, error codes, encodings. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { b64decode, b64encode } from '../../../src/plan/k6/modules/encoding.ts';
import { errorCodeOf, select } from '../../../src/plan/k6/response.ts';
import { sequential } from '../../../src/plan/k6/runtime.ts';

const tick = (v: unknown) => new Promise((r) => setTimeout(() => r(v), 1));

describe('k6 runtime: array methods with blocking callbacks', () => {
  it('runs one element after another, in order, with native results', async () => {
    const seen: string[] = [];
    const cb = async (x: number, i: number) => {
      seen.push(`start ${x}`);
      await tick(0);
      seen.push(`end ${x}`);
      return x * 10 + i;
    };
    assert.deepEqual(await sequential([1, 2, 3], 'map', cb), [10, 21, 32]);
    assert.deepEqual(seen, ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3'], 'never two at once');
    assert.deepEqual(
      await sequential([1, 2, 3, 4], 'filter', async (x: number) => tick(x % 2 === 0)),
      [2, 4],
    );
    assert.equal(await sequential([1, 2, 3], 'some', async (x: number) => tick(x === 2)), true);
    assert.equal(await sequential([1, 2, 3], 'every', async (x: number) => tick(x < 3)), false);
    assert.equal(await sequential([1, 2, 3], 'find', async (x: number) => tick(x > 1)), 2);
    assert.equal(await sequential([1, 2, 3], 'findIndex', async (x: number) => tick(x > 5)), -1);
    assert.equal(await sequential([1, 2, 3], 'reduce', async (s: number, x: number) => tick(s + x), 10), 16);
    assert.equal(
      await sequential(['a', 'b'], 'reduceRight', async (s: string, x: string) => tick(s + x)),
      'ba',
    );
    assert.deepEqual(await sequential([1, 2], 'flatMap', async (x: number) => tick([x, x])), [1, 1, 2, 2]);
    const order: number[] = [];
    assert.equal(
      await sequential([5, 6], 'forEach', async (x: number) => {
        await tick(0);
        order.push(x);
      }),
      undefined,
    );
    assert.deepEqual(order, [5, 6]);
  });

  it('Map and Set forEach too; another object calls its own method', async () => {
    const keys: unknown[] = [];
    await sequential(new Map([['a', 1]]), 'forEach', async (v: number, k: string) => keys.push([k, v]));
    await sequential(new Set(['s']), 'forEach', async (v: string) => keys.push(v));
    assert.deepEqual(keys, [['a', 1], 's']);
    const custom = { map: (fn: (x: number) => unknown) => fn(7) };
    assert.equal(await sequential(custom, 'map', async (x: number) => x + 1), 8);
    await assert.rejects(() => sequential({}, 'map', async () => 1), /map is not a function/);
  });
});

describe('k6 Response helpers', () => {
  it('json selectors: dotted paths, indexes, # for a length', () => {
    const v = { items: [{ id: 1, tags: ['a', 'b'] }], 'a.b': 2 };
    assert.equal(select(v, 'items.0.id'), 1);
    assert.equal(select(v, 'items.0.tags.#'), 2);
    assert.equal(select(v, 'items.#'), 1);
    assert.equal(select(v, 'a\\.b'), 2);
    assert.equal(select(v, 'items.3.id'), undefined);
    assert.throws(() => select(v, 'items.#(id==1)'), /only plain paths/);
  });

  it("error codes are k6's numbers", () => {
    assert.equal(errorCodeOf('ECONNREFUSED', 0), 1212);
    assert.equal(errorCodeOf('ETIMEDOUT', 0), 1050);
    assert.equal(errorCodeOf('ECONNRESET', 0), 1220);
    assert.equal(errorCodeOf('SOMETHING', 0), 1000);
    assert.equal(errorCodeOf(undefined, 503), 1503);
    assert.equal(errorCodeOf(undefined, 302), 0);
  });

  it('base64 in the four alphabets', () => {
    const bytes = new Uint8Array([251, 255, 191]).buffer;
    assert.equal(b64encode(bytes), '+/+/');
    assert.equal(b64encode(bytes, 'url'), '-_-_');
    assert.equal(b64encode('a'), 'YQ==');
    assert.equal(b64encode('a', 'rawstd'), 'YQ');
    assert.equal(b64encode('a', 'rawurl'), 'YQ');
    assert.equal(b64decode('YQ==', 'std', 's'), 'a');
    assert.deepEqual(
      new Uint8Array(b64decode('-_-_', 'url') as ArrayBuffer),
      new Uint8Array([251, 255, 191]),
    );
  });
});
