import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type CompareOptions,
  compareResults,
  compareWarnings,
  DEFAULT_COMPARE_OPTIONS,
  renderCompareMarkdown,
  renderCompareTable,
} from '../../src/report/compare.ts';
import type { ResultsFile, TimelinePoint } from '../../src/results/types.ts';
import { outsideDir, runCli } from '../helpers/cli.ts';
import { makeResults, trend } from './fixtures.ts';

/** mulberry32: a small seeded generator, so every run of the test sees the same series. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const gaussian = (rand: () => number) =>
  Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

interface Load {
  seconds: number;
  /** Latency multiplier (2: twice as slow). */
  slower?: number;
  /** Requests per second (default 50). */
  rps?: number;
  /** Chance that a request fails with a 503. */
  failing?: number;
}

/**
 * A run against a 50 ms server on a busy machine: each second's latency moves by about 20%
 * (log-normal), one second in twenty is 2.5 times slower (another process took the cores), and
 * the p95/p99 of a second of 50 requests are noisy on their own.
 */
function syntheticRun(rand: () => number, load: Load): ResultsFile {
  const r = makeResults();
  const slower = load.slower ?? 1;
  const rps = load.rps ?? 50;
  const timeline: TimelinePoint[] = [];
  for (let t = 1; t <= load.seconds; t++) {
    const machine = Math.exp(0.2 * gaussian(rand)) * (rand() < 0.05 ? 2.5 : 1);
    const p50 = 50 * slower * machine;
    const p95 = p50 * 1.4 * Math.exp(0.15 * gaussian(rand));
    const p99 = p95 * 1.3 * Math.exp(0.15 * gaussian(rand));
    const requests = Math.max(1, Math.round(rps + 2 * gaussian(rand)));
    let failed = 0;
    for (let i = 0; i < requests; i++) if (rand() < (load.failing ?? 0)) failed++;
    timeline.push({
      t,
      requests,
      byStatus: failed ? { '200': requests - failed, '503': failed } : { '200': requests },
      errors: {},
      p50,
      p95,
      p99,
      activeVUs: 3,
      iterations: requests,
      dropped: 0,
    });
  }
  // The run ended 0.4 s into a last second, as runs do: that second is partial.
  timeline.push({ ...(timeline.at(-1) as TimelinePoint), t: load.seconds + 1, requests: 20 });
  const durationMs = load.seconds * 1000 + 400;
  const byP95 = timeline.map((p) => p.p95).sort((a, b) => a - b);
  const runP95 = byP95[Math.floor(0.95 * (byP95.length - 1))] as number;
  const scenario = r.scenarios.mixed as ResultsFile['scenarios'][string];
  Object.assign(r, { durationMs, timeline, metrics: { ...r.metrics, http_req_duration: trend(runP95) } });
  Object.assign(scenario, {
    durationMs,
    timeline: timeline.map(({ t, requests, p50, p95, p99 }) => ({ t, requests, p50, p95, p99 })),
    metrics: { http_req_duration: trend(runP95) },
  });
  return r;
}

const regressions = (b: ResultsFile, c: ResultsFile, o: CompareOptions = DEFAULT_COMPARE_OPTIONS) =>
  compareResults(b, c, o)
    .filter((r) => r.regression)
    .map((r) => `${r.scope} ${r.metric}`);

const row = (rows: ReturnType<typeof compareResults>, scope: string, metric: string) => {
  const found = rows.find((r) => r.scope === scope && r.metric === metric);
  assert.ok(found, `no row ${scope} ${metric}`);
  return found;
};

describe('compare: judged on the runs’ seconds, with a rank test', () => {
  it('20 pairs of runs from one distribution with noise: at most 1 flagged, where a fixed 10% on p95 cries wolf', () => {
    const rand = seeded(26);
    let flagged = 0;
    let fixedRuleFlagged = 0;
    for (let pair = 0; pair < 20; pair++) {
      const base = syntheticRun(rand, { seconds: 30, failing: 0.002 });
      const cand = syntheticRun(rand, { seconds: 30, failing: 0.002 });
      if (regressions(base, cand).length) flagged++;
      const p95 = (r: ResultsFile) => (r.metrics.http_req_duration as { p95: number }).p95;
      if (p95(cand) > 1.1 * p95(base)) fixedRuleFlagged++;
    }
    assert.ok(flagged <= 1, `${flagged} of 20 pairs flagged`);
    // The noise is the kind that made the old compare cry wolf.
    assert.ok(fixedRuleFlagged >= 3, `a fixed 10% on the run's p95 flagged only ${fixedRuleFlagged}`);
  });

  it('a 2x latency change is always flagged, with its size and interval', () => {
    const rand = seeded(2);
    for (let pair = 0; pair < 20; pair++) {
      const rows = compareResults(
        syntheticRun(rand, { seconds: 30 }),
        syntheticRun(rand, { seconds: 30, slower: 2 }),
      );
      for (const metric of ['p50 ms', 'p95 ms', 'p99 ms']) {
        for (const scope of ['(run)', 'mixed']) {
          const r = row(rows, scope, metric);
          assert.equal(r.judgement, 'regression', `pair ${pair}: ${scope} ${metric} ${r.judgement} p ${r.p}`);
          assert.ok((r.change as number) > 50 && (r.change as number) < 150, `change ${r.change}%`);
          assert.ok((r.changeLow as number) < (r.change as number), 'interval below');
          assert.ok((r.changeHigh as number) > (r.change as number), 'interval above');
          assert.equal(r.baselineSamples, 30, 'the partial last second is left out');
        }
      }
    }
  });

  it('fewer seconds than the minimum: not judged, even at 2x, and the seconds are counted', () => {
    const rand = seeded(3);
    const rows = compareResults(
      syntheticRun(rand, { seconds: 3 }),
      syntheticRun(rand, { seconds: 3, slower: 2 }),
    );
    assert.equal(rows.filter((r) => r.regression).length, 0);
    const p95 = row(rows, '(run)', 'p95 ms');
    assert.equal(p95.judgement, 'not enough samples');
    assert.equal(p95.baselineSamples, 3);
    assert.equal(p95.change, undefined);
    assert.match(renderCompareTable(rows), /p95 ms.*3\+3\s+not enough samples to judge/);
  });

  it('a significant change within its tolerance is not a regression; a better one is an improvement', () => {
    const rand = seeded(4);
    const base = syntheticRun(rand, { seconds: 60 });
    const slower = syntheticRun(rand, { seconds: 60, slower: 1.3 });
    const options = {
      ...DEFAULT_COMPARE_OPTIONS,
      tolerances: { ...DEFAULT_COMPARE_OPTIONS.tolerances, latencyPct: 60 },
    };
    assert.deepEqual(regressions(base, slower, options), []);
    assert.equal(row(compareResults(base, slower, options), '(run)', 'p50 ms').judgement, 'within tolerance');
    assert.equal(row(compareResults(slower, base), '(run)', 'p50 ms').judgement, 'improvement');
  });

  it('worse beyond the tolerance, but the interval reaches within it: shown, not a regression', () => {
    // Twenty seconds each, the candidate's 15% slower: significant, yet the 95% interval of the
    // change starts below the 10% allowed.
    const withLatencies = (values: number[]) => {
      const r = makeResults();
      r.durationMs = values.length * 1000;
      r.timeline = values.map((v, i) => ({
        ...(r.timeline[0] as TimelinePoint),
        t: i + 1,
        p50: v,
        p95: v,
        p99: v,
      }));
      return r;
    };
    const base = Array.from({ length: 20 }, (_, i) => 50 + ((i * 7) % 20));
    const rows = compareResults(withLatencies(base), withLatencies(base.map((v) => v * 1.15)));
    const r = row(rows, '(run)', 'p95 ms');
    assert.ok((r.p as number) < 0.05, `p ${r.p}`);
    assert.ok((r.change as number) > 10 && (r.changeLow as number) < 10, `${r.changeLow} .. ${r.change}`);
    assert.equal(r.judgement, 'possibly beyond tolerance');
    assert.equal(r.regression, false);
    assert.match(renderCompareTable(rows), /worse, maybe beyond tolerance/);
  });

  it('a significant drop among many ties, whose estimate is 0, is still worse, not better', () => {
    const withRps = (values: number[]) => {
      const r = makeResults();
      r.durationMs = values.length * 1000;
      r.timeline = values.map((requests, i) => ({ ...(r.timeline[0] as TimelinePoint), t: i + 1, requests }));
      return r;
    };
    const rows = compareResults(
      withRps(Array(20).fill(50)),
      withRps([...Array(12).fill(50), ...Array(8).fill(49)]),
    );
    const rps = row(rows, '(run)', 'rps');
    assert.ok((rps.p as number) < 0.05, `p ${rps.p}`);
    assert.equal(rps.change, 0);
    assert.equal(rps.judgement, 'within tolerance');
  });

  it('more failing requests and fewer requests per second are regressions (errors in points, rps in percent)', () => {
    const rand = seeded(5);
    const rows = compareResults(
      syntheticRun(rand, { seconds: 20 }),
      syntheticRun(rand, { seconds: 20, failing: 0.05, rps: 40 }),
    );
    const errors = row(rows, '(run)', 'errors %');
    assert.equal(errors.judgement, 'regression');
    assert.ok(
      (errors.change as number) > 2 && (errors.change as number) < 10,
      `errors +${errors.change} pts`,
    );
    const rps = row(rows, '(run)', 'rps');
    assert.equal(rps.judgement, 'regression');
    assert.ok((rps.change as number) < -15 && (rps.change as number) > -25, `rps ${rps.change}%`);
  });

  it('endpoints and scenario error rates have no per-second series: shown, not judged', () => {
    const rand = seeded(6);
    const base = syntheticRun(rand, { seconds: 30 });
    const cand = syntheticRun(rand, { seconds: 30 });
    const endpoint = cand.scenarios.mixed?.endpoints[0];
    assert.ok(endpoint);
    endpoint.latency = { ...endpoint.latency, p95: endpoint.latency.p95 * 3 };
    const rows = compareResults(base, cand);
    const r = row(rows, 'mixed / POST /api/authorizations/:id/reserve', 'p95 ms');
    assert.equal(r.judgement, 'no per-second data');
    assert.equal(r.regression, false);
    assert.equal(row(rows, 'mixed', 'errors %').judgement, 'no per-second data');
    assert.match(renderCompareTable(rows), /reserve\s+p95 ms.*\s-\s+no per-second data, not judged/);
  });

  it('warns when the runs come from different plans, targets or scenarios', () => {
    const base = makeResults();
    const cand = makeResults({ name: 'another plan' });
    cand.plan.target = 'http://127.0.0.1:9999';
    assert.deepEqual(compareWarnings(base, cand), [
      'the runs come from different plans: clinic: mixed operations and another plan',
      'the runs come from different targets: http://127.0.0.1:3000 and http://127.0.0.1:9999',
    ]);
    assert.deepEqual(compareWarnings(base, makeResults()), []);
  });

  it('the Markdown table has the same columns and marks a regression', () => {
    const rand = seeded(7);
    const rows = compareResults(
      syntheticRun(rand, { seconds: 30 }),
      syntheticRun(rand, { seconds: 30, slower: 2 }),
    );
    const md = renderCompareMarkdown(rows, ['the runs come from different plans: a and b']);
    assert.match(md, /^> warning: the runs come from different plans/);
    assert.match(md, /\| scope \| metric \| old \| new \| delta \| 95% CI \| p \| n \| result \|/);
    assert.match(md, /\| \(run\) \| p95 ms \|.*\| <0\.001 \| 30\+30 \| \*\*REGRESSION\*\* \|/);
  });
});

describe('loadproof compare', () => {
  it('exit 3 on a 2x slower run, printing the change, its 95% interval, p and n; 0 when only noise differs', async () => {
    const rand = seeded(8);
    const dir = outsideDir();
    const [b, same, slow] = ['base.json', 'same.json', 'slow.json'].map((f) => join(dir, f)) as [
      string,
      string,
      string,
    ];
    writeFileSync(b, JSON.stringify(syntheticRun(rand, { seconds: 30 })));
    writeFileSync(same, JSON.stringify(syntheticRun(rand, { seconds: 30 })));
    writeFileSync(slow, JSON.stringify(syntheticRun(rand, { seconds: 30, slower: 2 })));

    const bad = await runCli(['compare', b, slow, '--markdown', join(dir, 'cmp.md')]);
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stdout, /scope\s+metric\s+old\s+new\s+delta\s+95% CI\s+p\s+n\s+result/);
    assert.match(
      bad.stdout,
      /\(run\)\s+p95 ms\s+[\d.]+\s+[\d.]+\s+\+\d+(\.\d+)?%\s+\+\d+(\.\d+)?% \.\. \+\d+(\.\d+)?%\s+<0\.001\s+30\+30\s+REGRESSION/,
    );
    assert.match(bad.stdout, /\d+ significant regressions/);

    const ok = await runCli(['compare', b, same]);
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(
      ok.stdout,
      /\(run\)\s+p95 ms\s+[\d.]+\s+[\d.]+\s+~\s+[-+][\d.]+% \.\. [-+][\d.]+%\s+0\.\d{3}\s+30\+30\s+no significant change/,
    );
    assert.match(ok.stdout, /no significant regression/);

    const relaxed = await runCli(['compare', b, slow, '--latency', '200']);
    assert.equal(relaxed.code, 0, relaxed.stdout);
    assert.match(relaxed.stdout, /p\d\d ms.*worse, within tolerance/);
    assert.equal((await runCli(['compare', b, slow, '--p95', '200'])).code, 0, 'the older flag name');
    const strict = await runCli(['compare', b, slow, '--min-samples', '40']);
    assert.equal(strict.code, 0, strict.stdout);
    assert.match(strict.stdout, /30\+30\s+not enough samples to judge/);
  });

  it('--help tells the flags and the exit codes', async () => {
    const help = await runCli(['compare', '--help']);
    assert.equal(help.code, 0);
    for (const flag of ['--latency', '--error-rate', '--rps', '--alpha', '--min-samples', '--markdown'])
      assert.ok(help.stdout.includes(flag), flag);
    assert.match(
      help.stdout.replace(/\s+/g, ' '),
      /Exit 3 only for a significant regression .* 0 otherwise, 2 on a bad file or flag/,
    );
  });

  it('exit 2 on a missing file or a bad flag', async () => {
    const dir = outsideDir();
    const b = join(dir, 'base.json');
    writeFileSync(b, JSON.stringify(makeResults()));
    assert.equal((await runCli(['compare', b, join(dir, 'missing.json')])).code, 2);
    for (const flags of [
      ['--latency', 'lots'],
      ['--alpha', '1.5'],
      ['--min-samples', '1'],
      ['--error-rate', '-1'],
    ]) {
      const r = await runCli(['compare', b, b, ...flags]);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(flags[0] as string));
    }
  });

  it('warns of a run that failed or loosened a run-validity criterion', () => {
    const base = makeResults();
    const cand = makeResults();
    Object.assign(cand.validity?.[0] ?? {}, { ok: false, actual: '8.88% (213 of 2400)' });
    Object.assign(base.validity?.[1] ?? {}, { limit: '<= 2%', loosened: true });
    assert.deepEqual(compareWarnings(base, cand), [
      'the baseline run loosened run validity maxAborted: requests that got no response: 0% (0 of 6000), limit <= 2%, loosened by the plan',
      'the candidate run failed run validity maxMissedArrivals: missed + dropped arrivals of the planned ones: 8.88% (213 of 2400), limit <= 1%',
    ]);
  });
});
