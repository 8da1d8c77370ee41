/** k6's randomSeed(): Math.random repeatable per VU, as each k6 VU has its own runtime. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());

interface Sent {
  kind: string;
  vu: number;
  iter: number;
  values: number[];
}

async function sent(): Promise<Sent[]> {
  server.reset();
  const r = await runK6(server, 'random.js');
  assert.equal(r.code, 0, r.stderr);
  return server.requests
    .filter((q) => q.path === '/random')
    .map((q) => JSON.parse(q.body) as Sent)
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.vu - b.vu || a.iter - b.iter);
}

describe('k6 randomSeed', () => {
  it('gives the same numbers on every run, each VU its own sequence', async () => {
    const first = await sent();
    const second = await sent();
    assert.equal(first.length, 8);
    assert.deepEqual(
      first.map((s) => s.values),
      second.map((s) => s.values),
      'the same numbers on every run',
    );
    const seeded = first.filter((s) => s.kind === 'seeded');
    const vus = [...new Set(seeded.map((s) => s.vu))];
    assert.equal(vus.length, 2);
    const sequence = (vu: number) => seeded.filter((s) => s.vu === vu).flatMap((s) => s.values);
    assert.deepEqual(
      sequence(vus[0] as number),
      sequence(vus[1] as number),
      'init code seeds every VU alike',
    );
    assert.equal(new Set(sequence(vus[0] as number)).size, 4, 'a sequence, not one number');
    for (const v of sequence(vus[0] as number)) assert.ok(v >= 0 && v < 1);

    const reseeded = first.filter((s) => s.kind === 'reseeded');
    const [a, b] = [...new Set(reseeded.map((s) => s.vu))] as number[];
    const of = (vu: number | undefined) => reseeded.filter((s) => s.vu === vu).map((s) => s.values);
    assert.deepEqual(of(a)[0], of(a)[1], 'seeded again in each iteration: the same numbers');
    assert.notDeepEqual(of(a)[0], of(b)[0], 'a VU-code seed is that VU’s own');
  });
});
