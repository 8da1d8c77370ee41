/**
 * Executors against a fake clock: no timers, exact counts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../src/engine/clock.ts';
import { parseSegment, Segment } from '../../src/engine/segment.ts';
import type { VirtualUser } from '../../src/engine/vu.ts';
import type { ExecutorContext } from '../../src/executors/run-context.ts';
import { runExecutor } from '../../src/executors/run-registry.ts';
import type { ScenarioConfig } from '../../src/plan/types.ts';

interface Started {
  n: number;
  vu: number;
  intendedAt: number;
  actualAt: number;
  endAt?: number;
}

function harness(
  config: ScenarioConfig,
  opts: {
    flowMs: number;
    index?: number;
    count?: number;
    segment?: Segment;
    missedBefore?: number;
    gracefulStopMs?: number;
    clock?: FakeClock;
  },
) {
  const clock = opts.clock ?? new FakeClock(0);
  const hard = new AbortController();
  const started: Started[] = [];
  let dropped = 0;
  let missed = 0;
  let vus = 0;
  let active = 0;
  let maxActive = 0;
  const activeAt: [number, number][] = [];
  const ctx: ExecutorContext = {
    config,
    clock,
    startAt: 0,
    index: opts.index ?? 0,
    count: opts.count ?? 1,
    segment: opts.segment ?? Segment.whole(),
    gracefulStopMs: opts.gracefulStopMs ?? 30_000,
    stop: new AbortController(),
    hardStop: hard.signal,
    newVu: () => ({ id: ++vus }) as unknown as VirtualUser,
    runIteration: async (vu, n, intendedAt) => {
      const s: Started = { n, vu: (vu as unknown as { id: number }).id, intendedAt, actualAt: clock.now() };
      started.push(s);
      active++;
      maxActive = Math.max(maxActive, active);
      activeAt.push([clock.now(), active]);
      await clock.sleepUntil(clock.now() + opts.flowMs, hard.signal);
      active--;
      s.endAt = clock.now();
    },
    dropped: (k = 1) => {
      dropped += k;
    },
    missedBefore: opts.missedBefore ?? Number.NEGATIVE_INFINITY,
    missed: (k = 1) => {
      missed += k;
    },
  };
  return {
    clock,
    ctx,
    started,
    hard,
    get dropped() {
      return dropped;
    },
    get missed() {
      return missed;
    },
    get vus() {
      return vus;
    },
    get maxActive() {
      return maxActive;
    },
    activeAt,
  };
}

async function finish(
  h: { clock: FakeClock },
  p: Promise<void>,
  maxMs = 100_000,
  stepMs = 1,
): Promise<number> {
  let done = false;
  p.then(() => {
    done = true;
  });
  await h.clock.runUntil(() => done, maxMs, stepMs);
  assert.ok(done, 'executor did not finish');
  return h.clock.now();
}

const car = (rate: number, durationMs: number, maxVUs: number, onSaturation: 'drop' | 'queue' = 'drop') =>
  ({
    executor: 'constant-arrival-rate',
    ratePerSec: rate,
    durationMs,
    maxVUs,
    preAllocatedVUs: 1,
    onSaturation,
  }) as const;

describe('constant-arrival-rate', () => {
  it('starts rate × duration iterations on the absolute timeline, on time', async () => {
    const h = harness(car(100, 1000, 10), { flowMs: 5 });
    await finish(h, runExecutor(h.ctx as never));
    assert.equal(h.started.length, 100);
    assert.equal(h.dropped, 0);
    h.started.forEach((s, i) => {
      assert.equal(s.n, i);
      assert.ok(Math.abs(s.intendedAt - i * 10) < 1e-9);
      assert.equal(s.actualAt, s.intendedAt);
    });
    // A 5 ms flow at 10 ms spacing never needs a second VU.
    assert.equal(h.vus, 1);
  });

  it('with a clock that wakes early, starts up to arrivalEarlyMs early and measures from the actual start', async () => {
    // 0.3 ms spacing: every arrival within 1 ms of the clock's time starts at once, early.
    const clock = new FakeClock(0, 1);
    const h = harness(car(3000, 100, 50), { flowMs: 2, clock });
    await finish(h, runExecutor(h.ctx as never), 100_000, 1);
    assert.equal(h.started.length, 300);
    let early = 0;
    h.started.forEach((s, i) => {
      const due = (i * 1000) / 3000;
      assert.ok(s.actualAt >= due - 1 - 1e-9, `iteration ${i} started ${due - s.actualAt} ms early`);
      assert.ok(s.actualAt <= due + 1e-9, `iteration ${i} started late on an idle clock`);
      // Never measured from a time before it began; when on time or late, from its due time.
      assert.equal(s.intendedAt, Math.min(due, s.actualAt));
      if (s.actualAt < due) early++;
    });
    assert.ok(early > 0, 'no iteration started early: the tolerance was not used');
  });

  it('drops what finds every maxVU busy, and counts it', async () => {
    // Each iteration holds its VU 50 ms: 2 VUs start 2 of every 5 iterations due at 10 ms spacing.
    const h = harness(car(100, 1000, 2), { flowMs: 50 });
    await finish(h, runExecutor(h.ctx as never));
    assert.equal(h.started.length, 40);
    assert.equal(h.dropped, 60);
    assert.equal(h.maxActive, 2);
  });

  it("with onSaturation 'queue' runs every iteration late, keeping its intended start", async () => {
    const h = harness(car(100, 1000, 2, 'queue'), { flowMs: 50 });
    await finish(h, runExecutor(h.ctx as never));
    assert.equal(h.started.length, 100);
    assert.equal(h.dropped, 0);
    const last = h.started.find((s) => s.n === 99) as Started;
    assert.equal(last.intendedAt, 990);
    // Two VUs start one iteration each per 50 ms (at 0, 50, ... and 10, 60, ...): the 100th
    // start, which takes the last queued iteration, is VU 2's 50th, at 2460 ms.
    assert.equal(last.actualAt, 2460);
  });

  it('queued iterations that cannot start within gracefulStop are dropped', async () => {
    const h = harness(car(100, 1000, 2, 'queue'), { flowMs: 50, gracefulStopMs: 500 });
    await finish(h, runExecutor(h.ctx as never));
    // By 1500 ms, 2 per 50 ms have started: 60 iterations; 40 queued are dropped.
    assert.equal(h.started.length, 60);
    assert.equal(h.dropped, 40);
  });

  it('two threads split the timeline without overlap and with the same times', async () => {
    const clock = new FakeClock(0);
    const a = harness(car(200, 1000, 50), { flowMs: 3, index: 0, count: 2, clock });
    const b = harness(car(200, 1000, 50), { flowMs: 3, index: 1, count: 2, clock });
    await finish(
      a,
      Promise.all([runExecutor(a.ctx as never), runExecutor(b.ctx as never)]).then(() => {}),
    );
    const all = [...a.started, ...b.started].sort((x, y) => x.n - y.n);
    assert.equal(all.length, 200);
    all.forEach((s, i) => {
      assert.equal(s.n, i);
      assert.ok(Math.abs(s.intendedAt - i * 5) < 1e-9);
    });
    assert.equal(a.started.length, 100);
  });

  it('a thread that starts late counts the arrivals it missed instead of running them at once', async () => {
    const h = harness(car(100, 1000, 5), { flowMs: 1, missedBefore: 300 });
    await finish(h, runExecutor(h.ctx as never));
    // Due at 0, 10, ..., 290 ms: missed; from 300 ms on, each on time.
    assert.equal(h.missed, 30);
    assert.equal(h.started.length, 70);
    assert.equal(h.started[0]?.intendedAt, 300);
  });

  it('a stop from outside ends the schedule early', async () => {
    const h = harness(car(100, 10_000, 5), { flowMs: 5 });
    h.clock.sleepUntil(2000).then(() => h.ctx.stop.abort());
    const end = await finish(h, runExecutor(h.ctx as never));
    // Iterations due at 0, 10, ..., 1990 ms; the stop at 2000 ms comes before the next.
    assert.equal(h.started.length, 200);
    assert.ok(end < 2100, `ended at ${end}`);
  });
});

describe('ramping-arrival-rate', () => {
  it('follows the stages: 0 -> 100/s over 2 s starts 100 iterations, a quarter in the first half', async () => {
    const h = harness(
      {
        executor: 'ramping-arrival-rate',
        startRatePerSec: 0,
        stages: [{ durationMs: 2000, target: 100 }],
        maxVUs: 10,
        preAllocatedVUs: 1,
        onSaturation: 'drop',
      },
      { flowMs: 1 },
    );
    await finish(h, runExecutor(h.ctx as never));
    assert.equal(h.started.length, 100);
    // As in k6: the 25th is due when the integral reaches 25, at 1 s; the 100th on the very end.
    assert.equal(h.started.filter((s) => s.intendedAt < 1000).length, 24);
    assert.equal(h.started.filter((s) => s.intendedAt <= 1000).length, 25);
  });
});

describe('closed models', () => {
  it('constant-vus: each VU runs iterations back to back until the duration ends', async () => {
    const h = harness({ executor: 'constant-vus', vus: 3, durationMs: 1000 }, { flowMs: 100 });
    await finish(h, runExecutor(h.ctx as never));
    assert.equal(h.started.length, 30);
    assert.equal(h.maxActive, 3);
    assert.deepEqual(new Set(h.started.map((s) => s.n)).size, 30);
  });

  it('gracefulStop bounds how long a running iteration may outlive the duration', async () => {
    const h = harness(
      { executor: 'constant-vus', vus: 2, durationMs: 1000 },
      { flowMs: 60_000, gracefulStopMs: 500 },
    );
    const end = await finish(h, runExecutor(h.ctx as never));
    assert.equal(end, 1500);
    assert.equal(h.started.length, 2);
  });

  it('shared-iterations: exactly the iterations asked for, over several threads', async () => {
    const clock = new FakeClock(0);
    const cfg = { executor: 'shared-iterations', vus: 7, iterations: 101, maxDurationMs: 600_000 } as const;
    const a = harness(cfg, { flowMs: 10, index: 0, count: 2, clock });
    const b = harness(cfg, { flowMs: 13, index: 1, count: 2, clock });
    await finish(
      a,
      Promise.all([runExecutor(a.ctx as never), runExecutor(b.ctx as never)]).then(() => {}),
    );
    const ns = [...a.started, ...b.started].map((s) => s.n);
    assert.equal(ns.length, 101);
    assert.equal(new Set(ns).size, 101);
    assert.equal(a.vus + b.vus, 7);
  });

  it('per-vu-iterations: every VU runs its own count', async () => {
    const h = harness(
      { executor: 'per-vu-iterations', vus: 3, iterations: 4, maxDurationMs: 600_000 },
      { flowMs: 10 },
    );
    await finish(h, runExecutor(h.ctx as never));
    assert.equal(h.started.length, 12);
    for (let vu = 1; vu <= 3; vu++) assert.equal(h.started.filter((s) => s.vu === vu).length, 4);
    assert.equal(new Set(h.started.map((s) => s.n)).size, 12);
  });

  it('maxDuration stops iterations that take too long', async () => {
    const h = harness(
      { executor: 'per-vu-iterations', vus: 1, iterations: 100, maxDurationMs: 1000 },
      { flowMs: 100, gracefulStopMs: 0 },
    );
    await finish(h, runExecutor(h.ctx as never));
    assert.equal(h.started.length, 10);
  });

  it('ramping-vus: follows the stages up and down', async () => {
    const h = harness(
      {
        executor: 'ramping-vus',
        startVUs: 0,
        stages: [
          { durationMs: 1000, target: 10 },
          { durationMs: 1000, target: 10 },
          { durationMs: 1000, target: 0 },
        ],
      },
      { flowMs: 50 },
    );
    const activeAround = (t: number) => {
      const before = h.activeAt.filter(([at]) => at <= t);
      return before.length ? (before[before.length - 1] as [number, number])[1] : 0;
    };
    await finish(h, runExecutor(h.ctx as never));
    assert.equal(h.maxActive, 10);
    const mid = activeAround(500);
    assert.ok(mid >= 4 && mid <= 6, `about 5 VUs at 500 ms, got ${mid}`);
    assert.ok(activeAround(1500) >= 9);
    assert.ok(activeAround(2900) <= 2, `few VUs near the end, got ${activeAround(2900)}`);
  });
});

describe('shards of a run (segments), each on several threads', () => {
  const layouts: [string, Segment[]][] = [
    ['3 equal shards', [0, 1, 2].map((i) => Segment.shard(i, 3))],
    ['segments 0,1/4,1', [parseSegment('0:1/4', '0,1/4,1'), parseSegment('1/4:1', '0,1/4,1')]],
  ];
  /** Runs one harness per (segment, thread) on one clock; returns them all. */
  async function runSharded(
    segments: Segment[],
    threads: number,
    config: ScenarioConfig,
    run: (ctx: never) => Promise<void>,
  ) {
    const clock = new FakeClock(0);
    const parts = segments.flatMap((segment) =>
      Array.from({ length: threads }, (_, index) =>
        harness(config, { flowMs: 3, index, count: threads, segment, clock }),
      ),
    );
    await finish(
      parts[0] as (typeof parts)[number],
      Promise.all(parts.map((h) => run(h.ctx as never))).then(() => {}),
    );
    return parts;
  }

  for (const [name, segments] of layouts) {
    it(`${name}: open-model arrivals replay the single-process schedule exactly`, async () => {
      const single = harness(car(200, 1000, 60), { flowMs: 3 });
      await finish(single, runExecutor(single.ctx as never));
      const parts = await runSharded(segments, 2, car(200, 1000, 60), runExecutor as never);
      const all = parts.flatMap((h) => h.started).sort((x, y) => x.n - y.n);
      assert.deepEqual(
        all.map((s) => [s.n, s.intendedAt]),
        single.started.map((s) => [s.n, s.intendedAt]),
      );
      assert.equal(
        parts.reduce((n, h) => n + h.dropped, 0),
        0,
      );
    });

    it(`${name}: closed-model iterations and VUs add up, with numbers unique over shards`, async () => {
      const shared = {
        executor: 'shared-iterations',
        vus: 7,
        iterations: 101,
        maxDurationMs: 600_000,
      } as const;
      const a = await runSharded(segments, 2, shared, runExecutor as never);
      const ns = a.flatMap((h) => h.started.map((s) => s.n));
      assert.equal(ns.length, 101);
      assert.equal(new Set(ns).size, 101);
      assert.equal(
        a.reduce((n, h) => n + h.vus, 0),
        7,
      );
      const perVu = { executor: 'per-vu-iterations', vus: 5, iterations: 4, maxDurationMs: 600_000 } as const;
      const b = await runSharded(segments, 2, perVu, runExecutor as never);
      const perVuNs = b.flatMap((h) => h.started.map((s) => s.n));
      assert.equal(perVuNs.length, 20);
      assert.equal(new Set(perVuNs).size, 20);
    });
  }
});
