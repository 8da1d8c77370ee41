/**
 * Segments: the parts of a run that shards take add up to the whole exactly, for equal shards
 * and for unequal sequences, and bad flags are refused with the flag named.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSegment, parseShard, Segment } from '../../src/engine/segment.ts';
import { UsageError } from '../../src/errors.ts';

function shardsOf(count: number): Segment[] {
  return Array.from({ length: count }, (_, i) => Segment.shard(i, count));
}

const unequal = ['0,1/4,1', '0,1/3,1/2,1', '0,0.1,0.35,0.8,1', '0,1/7,2/5,13/17,1', '0,25%,50%,1'];

function sequenceOf(text: string): Segment[] {
  const bounds = text.split(',');
  return bounds.slice(0, -1).map((b, i) => parseSegment(`${b}:${bounds[i + 1]}`, text));
}

const cases: [string, Segment[]][] = [
  ...Array.from({ length: 16 }, (_, i): [string, Segment[]] => [`${i + 1} equal shards`, shardsOf(i + 1)]),
  ...unequal.map((t): [string, Segment[]] => [`segments ${t}`, sequenceOf(t)]),
];

describe('segments add up to the whole', () => {
  for (const [name, segments] of cases) {
    it(`${name}: every arrival has exactly one owner, and each segment lists its own in order`, () => {
      const arrivals = 5000;
      const owners = new Array(arrivals).fill(0);
      for (const s of segments) {
        let previous = -1;
        for (let q = 0; ; q++) {
          const n = s.nth(q);
          if (n >= arrivals) break;
          assert.ok(n > previous, `${s}: arrival ${q} comes after the one before`);
          assert.ok(s.owns(n), `${s} owns the arrivals it lists`);
          previous = n;
          owners[n]++;
        }
      }
      assert.deepEqual(
        owners.map((c, n) => [n, c]).filter(([, c]) => c !== 1),
        [],
        'no arrival lost or run twice',
      );
    });

    it(`${name}: each segment counts the planned arrivals it owns, and the counts add up`, () => {
      for (const total of [0, 1, 7, 100, 2400, 5000]) {
        const counts = segments.map((s) => s.arrivalsOf(total));
        assert.equal(
          counts.reduce((a, b) => a + b, 0),
          total,
          `${total} counted as ${counts}`,
        );
        for (const [i, s] of segments.entries()) {
          let owned = 0;
          for (let n = 0; n < total; n++) if (s.owns(n)) owned++;
          assert.equal(counts[i], owned, `${s} of ${total}`);
        }
      }
    });

    it(`${name}: VUs and iterations are shared out exactly, and VU ids never collide`, () => {
      for (const total of [0, 1, 2, 3, 7, 10, 99, 100, 1001, 65_537]) {
        const shares = segments.map((s) => s.share(total));
        assert.equal(
          shares.reduce((a, b) => a + b, 0),
          total,
          `${total} split as ${shares}`,
        );
        for (const [i, s] of segments.entries()) {
          const weight = (s.to.n / s.to.d - s.from.n / s.from.d) * total;
          assert.ok(Math.abs((shares[i] as number) - weight) < 1, `${s} gets ${shares[i]} of ${total}`);
        }
      }
      const ids = new Set<number>();
      for (const s of segments) for (let l = 0; l < 50; l++) ids.add(s.vuId(l));
      assert.equal(ids.size, segments.length * 50);
      assert.ok(Math.min(...ids) >= 1);
    });
  }

  it('a segment takes its share of arrivals spread over time, not in one block', () => {
    const s = parseSegment('0:3/10', '0,3/10,1');
    const firstTen = Array.from({ length: 3 }, (_, q) => s.nth(q));
    assert.ok((firstTen.at(-1) as number) > 3, `owned arrivals ${firstTen} are spread over the cycle of 10`);
    assert.equal(Array.from({ length: 300 }, (_, q) => s.nth(q)).filter((n) => n < 1000).length, 300);
  });

  it('the whole run is one segment that owns every arrival and every VU', () => {
    const w = Segment.whole();
    assert.ok(w.isWhole);
    assert.deepEqual(
      Array.from({ length: 5 }, (_, q) => w.nth(q)),
      [0, 1, 2, 3, 4],
    );
    assert.equal(w.share(17), 17);
    assert.equal(w.vuId(0), 1);
  });

  it('equal shards hand out the remainder the way threads do: one each to the first ones', () => {
    assert.deepEqual(
      shardsOf(4).map((s) => s.share(10)),
      [3, 3, 2, 2],
    );
    assert.equal(parseShard('2/4').toString(), '1/2:3/4');
    assert.equal(parseShard('2/4').sequenceText(), '0,1/4,1/2,3/4,1');
  });
});

describe('segment flags', () => {
  for (const [flag, text, message] of [
    ['shard', '3/2', /--shard 3\/2: the index counts from 0, so it must be below 2/],
    ['shard', '0/0', /--shard 0\/0: the count must be at least 1/],
    ['shard', '1', /--shard: expected INDEX\/COUNT/],
    ['shard', '-1/2', /--shard: expected INDEX\/COUNT/],
    ['segment', '1/2:1/4', /FROM must be below TO/],
    ['segment', '0:3/2', /"3\/2" is above 1/],
    ['segment', '0:1/0', /divides by zero/],
    ['segment', 'a:b', /"a" is not a fraction/],
    ['segment', '1/4:1/2@0,1/3,1', /not one interval of --segments 0,1\/3,1/],
    ['segment', '0:1/2@0,1/2', /must run from 0 to 1/],
    ['segment', '0:1/2@0,1/2,1/3,1', /boundaries must increase/],
    ['segment', '0:1/999983@0,1/999983,1/999979,1', /common denominator above/],
  ] as const) {
    it(`--${flag} ${text}: ${message.source}`, () => {
      const [value, sequence] = text.split('@');
      const parse = () => (flag === 'shard' ? parseShard(text) : parseSegment(value as string, sequence));
      assert.throws(
        parse,
        (e: unknown) => e instanceof UsageError && message.test(e.message) && e.exitCode === 2,
      );
    });
  }
});
