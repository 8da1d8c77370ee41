import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PlanLoadError, UsageError } from '../../src/errors.ts';
import { csvRecords, loadData, parseCsv } from '../../src/plan/data.ts';
import { applyOverrides } from '../../src/plan/overrides.ts';
import { validatePlan } from '../../src/plan/validate.ts';

const flow = async () => {};
const plan = validatePlan({
  target: 'http://127.0.0.1:1',
  scenarios: {
    open: {
      executor: 'ramping-arrival-rate',
      stages: [
        { duration: '10s', target: 50 },
        { duration: '30s', target: 50 },
      ],
      maxVUs: 20,
      flow,
    },
    closed: { executor: 'ramping-vus', stages: [{ duration: '20s', target: 10 }], flow },
    iters: { executor: 'shared-iterations', vus: 2, iterations: 10, flow },
  },
});

describe('CLI shortcuts', () => {
  it('--duration scales stages and sets maxDuration', () => {
    const p = applyOverrides(plan, { durationMs: 4000 });
    const [open, closed, iters] = p.scenarios.map((s) => s.config);
    assert.deepEqual(
      open?.executor === 'ramping-arrival-rate' && open.stages.map((s) => s.durationMs),
      [1000, 3000],
    );
    assert.deepEqual(closed?.executor === 'ramping-vus' && closed.stages.map((s) => s.durationMs), [4000]);
    assert.equal(iters?.executor === 'shared-iterations' && iters.maxDurationMs, 4000);
  });

  it('--vus makes ramping-vus constant and sets maxVUs of arrival-rate scenarios', () => {
    const [open, closed, iters] = applyOverrides(plan, { vus: 5 }).scenarios.map((s) => s.config);
    assert.equal(open?.executor === 'ramping-arrival-rate' && open.maxVUs, 5);
    assert.deepEqual(closed, { executor: 'constant-vus', vus: 5, durationMs: 20_000 });
    assert.equal(iters?.executor === 'shared-iterations' && iters.vus, 5);
    assert.throws(
      () => applyOverrides(plan, { vus: 11 }),
      /--vus 11 exceeds the 10 iterations of scenario "iters"/,
    );
  });

  it('--rate turns an arrival-rate scenario constant and is refused on closed models', () => {
    const openOnly = { ...plan, scenarios: plan.scenarios.slice(0, 1) };
    const [open] = applyOverrides(openOnly, { rate: 7, durationMs: 2000 }).scenarios.map((s) => s.config);
    assert.deepEqual(open, {
      executor: 'constant-arrival-rate',
      ratePerSec: 7,
      durationMs: 2000,
      maxVUs: 20,
      preAllocatedVUs: 1,
      onSaturation: 'drop',
    });
    assert.throws(() => applyOverrides(plan, { rate: 7 }), UsageError);
  });

  it('no shortcut: the plan as it was', () => {
    assert.equal(applyOverrides(plan, {}), plan);
  });
});

describe('data files', () => {
  it('CSV: quotes, doubled quotes, CRLF, blank lines', () => {
    assert.deepEqual(parseCsv('a,"b, c","say ""hi"""\r\n\r\nd,e,f\n'), [
      ['a', 'b, c', 'say "hi"'],
      ['d', 'e', 'f'],
    ]);
    assert.deepEqual(csvRecords('id,name\n1,Ann\n2,Bo'), [
      { id: '1', name: 'Ann' },
      { id: '2', name: 'Bo' },
    ]);
  });

  it('a missing or malformed file is an error naming the data set and the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadproof-data-'));
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    writeFileSync(join(dir, 'obj.json'), '{"a": 1}');
    assert.throws(
      () => loadData({ users: { file: 'missing.csv' } }, dir),
      (e: Error) =>
        e instanceof PlanLoadError && /data\.users: cannot read .*missing\.csv: ENOENT/.test(e.message),
    );
    assert.throws(
      () => loadData({ ids: { file: 'bad.json' } }, dir),
      /data\.ids: .*bad\.json is not valid JSON/,
    );
    assert.throws(
      () => loadData({ ids: { file: 'obj.json' } }, dir),
      /data\.ids: .*obj\.json must hold a JSON array/,
    );
  });
});
