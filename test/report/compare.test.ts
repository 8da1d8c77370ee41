import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  compareResults,
  compareWarnings,
  DEFAULT_TOLERANCES,
  renderCompareTable,
} from '../../src/report/compare.ts';
import { outsideDir, runCli } from '../helpers/cli.ts';
import { makeResults } from './fixtures.ts';

const regressions = (
  b: ReturnType<typeof makeResults>,
  c: ReturnType<typeof makeResults>,
  t = DEFAULT_TOLERANCES,
) =>
  compareResults(b, c, t)
    .filter((r) => r.regression)
    .map((r) => `${r.scope} ${r.metric}`);

describe('compare', () => {
  const base = makeResults({ p95: 100, failed: 6, rps: 100 });

  it('within the default tolerances: no regression', () => {
    assert.deepEqual(regressions(base, makeResults({ p95: 109, failed: 30, rps: 91 })), []);
  });

  it('p95 +11%, error rate +0.6 points, rps -11%: three regressions, for the run, the scenario and the endpoint', () => {
    assert.deepEqual(regressions(base, makeResults({ p95: 111, failed: 6 + 36, rps: 89 })), [
      '(run) p95 ms',
      '(run) error rate %',
      '(run) rps',
      'mixed p95 ms',
      'mixed error rate %',
      'mixed rps',
      'mixed / POST /api/authorizations/:id/reserve p95 ms',
      'mixed / POST /api/authorizations/:id/reserve error rate %',
      'mixed / POST /api/authorizations/:id/reserve rps',
    ]);
  });

  it('an endpoint that regressed alone is found', () => {
    const cand = makeResults({ p95: 100, failed: 6, rps: 100 });
    const endpoint = cand.scenarios.mixed?.endpoints[0];
    assert.ok(endpoint);
    endpoint.latency = { ...endpoint.latency, p95: 180 };
    assert.deepEqual(regressions(base, cand), ['mixed / POST /api/authorizations/:id/reserve p95 ms']);
  });

  it('warns when the runs come from different plans, targets or scenarios', () => {
    const cand = makeResults({ name: 'another plan' });
    cand.plan.target = 'http://127.0.0.1:9999';
    assert.deepEqual(compareWarnings(base, cand), [
      'the runs come from different plans: clinic: mixed operations and another plan',
      'the runs come from different targets: http://127.0.0.1:3000 and http://127.0.0.1:9999',
    ]);
    assert.deepEqual(compareWarnings(base, makeResults()), []);
  });

  it('tolerances can be changed', () => {
    const cand = makeResults({ p95: 111, failed: 6, rps: 100 });
    assert.deepEqual(regressions(base, cand, { ...DEFAULT_TOLERANCES, p95Pct: 20 }), []);
    assert.deepEqual(regressions(base, cand, { ...DEFAULT_TOLERANCES, p95Pct: 5 }), [
      '(run) p95 ms',
      'mixed p95 ms',
      'mixed / POST /api/authorizations/:id/reserve p95 ms',
    ]);
  });

  it('the table names each change', () => {
    const text = renderCompareTable(compareResults(base, makeResults({ p95: 150, failed: 6, rps: 100 })));
    assert.match(text, /\(run\)\s+p95 ms\s+100\s+150\s+\+50%\s+REGRESSION/);
    assert.match(text, /3 regressions/);
  });

  it('loadproof compare exits 3 on a regression, 0 otherwise, 2 on a bad file or flag', async () => {
    const dir = outsideDir();
    const b = join(dir, 'base.json');
    const c = join(dir, 'cand.json');
    writeFileSync(b, JSON.stringify(base));
    writeFileSync(c, JSON.stringify(makeResults({ p95: 130, failed: 6, rps: 100 })));
    const bad = await runCli(['compare', b, c, '--markdown', join(dir, 'cmp.md')]);
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stdout, /REGRESSION/);
    const relaxed = await runCli(['compare', b, c, '--p95', '50']);
    assert.equal(relaxed.code, 0, relaxed.stderr);
    assert.match(relaxed.stdout, /no regression/);
    assert.equal((await runCli(['compare', b, join(dir, 'missing.json')])).code, 2);
    assert.equal((await runCli(['compare', b, c, '--p95', 'lots'])).code, 2);
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
