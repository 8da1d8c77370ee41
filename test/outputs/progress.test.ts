import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Progress } from '../../src/outputs/progress.ts';
import { progressDisplay, progressLine } from '../../src/outputs/progress.ts';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return {
    writes,
    s: { isTTY, columns: 80, write: (x: string) => writes.push(x) } as unknown as NodeJS.WriteStream,
  };
}

const p = (elapsedMs: number): Progress => ({
  elapsedMs,
  plannedMs: 60_000,
  requests: 1234,
  iterations: 600,
  dropped: 3,
  errors: 2,
  failed: 5,
  last: {
    t: 1,
    requests: 200,
    byStatus: { '200': 200 },
    errors: {},
    p50: 1,
    p95: 12.5,
    p99: 40,
    activeVUs: 9,
    iterations: 100,
    dropped: 0,
  },
  scenarios: [],
});

const withScenarios = (elapsedMs: number): Progress => ({
  ...p(elapsedMs),
  scenarios: [
    { name: 'warmup', state: 'done', target: '50/s', requests: 500, iterations: 250 },
    { name: 'main', state: 'running', target: '200/s', requests: 734, iterations: 350 },
    { name: 'spike', state: 'waiting', target: '0 VUs', requests: 0, iterations: 0 },
  ],
});

describe('progress', () => {
  it('a line with elapsed time, counts, the last second and VUs', () => {
    assert.equal(
      progressLine(p(5000)),
      '[5s/60s]  1,234 requests  200 req/s  p95 12.5ms p99 40.0ms  5 failed  2 errors  3 dropped  9 VUs',
    );
  });

  it('on a TTY: redrawn in place, at most every 100 ms, cleared at the end', () => {
    const { writes, s } = stream(true);
    const d = progressDisplay(s, false);
    d.update(p(1000));
    d.update(p(1050)); // within 100 ms: skipped
    assert.equal(writes.length, 1);
    assert.ok(writes[0]?.startsWith('\r\x1b[2K[1s/60s]'));
    assert.ok((writes[0]?.length ?? 0) <= 80 + 5, 'fits the terminal');
    d.done();
    assert.equal(writes.at(-1), '\r\x1b[2K');
  });

  it('on a TTY: a line per scenario with what it aims at now, redrawn over the previous lines', async () => {
    const { writes, s } = stream(true);
    const d = progressDisplay(s, false);
    d.update(withScenarios(1000));
    assert.deepEqual(writes[0]?.split('\n').slice(1), [
      '  warmup  done  500 requests  250 iterations',
      '  main    running  200/s  734 requests  350 iterations',
      '  spike   waiting  0 requests  0 iterations',
    ]);
    await new Promise((r) => setTimeout(r, 120)); // past the 100 ms between draws
    d.update(withScenarios(2000));
    assert.ok(
      writes[1]?.startsWith('\r\x1b[2K\x1b[1A\x1b[2K\x1b[1A\x1b[2K\x1b[1A\x1b[2K[2s/60s]'),
      'back over 3 lines',
    );
    d.done();
    assert.equal(writes.at(-1), '\r\x1b[2K\x1b[1A\x1b[2K\x1b[1A\x1b[2K\x1b[1A\x1b[2K');
  });

  it('not a TTY: a plain line every 10 s; quiet: nothing', () => {
    const { writes, s } = stream(false);
    const d = progressDisplay(s, false);
    for (let t = 0; t <= 30_000; t += 1000) d.update(p(t));
    assert.deepEqual(
      writes.map((w) => w.slice(0, 9)),
      ['[10s/60s]', '[20s/60s]', '[30s/60s]'],
    );
    assert.ok(writes.every((w) => w.endsWith('\n') && !w.includes('\x1b')));
    const q = stream(true);
    const quiet = progressDisplay(q.s, true);
    quiet.update(p(20_000));
    quiet.done();
    assert.deepEqual(q.writes, []);
  });
});
