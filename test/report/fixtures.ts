/** A plausible results.json built in code: fixed numbers, so renderers can be compared with golden files. */
import type { ResultsFile, TrendSummary } from '../../src/results/types.ts';

export function trend(p95: number): TrendSummary {
  return {
    type: 'trend',
    count: 6000,
    min: 0.8,
    max: p95 * 3,
    mean: p95 / 3,
    stdev: p95 / 4,
    p50: p95 / 4,
    p90: p95 * 0.8,
    p95,
    p99: p95 * 1.6,
    p999: p95 * 2.5,
  };
}

export function makeResults(
  o: { p95?: number; failed?: number; rps?: number; name?: string } = {},
): ResultsFile {
  const p95 = o.p95 ?? 40;
  const total = 6000;
  const failed = o.failed ?? 6;
  const rps = o.rps ?? 100;
  const requests = { total, byStatus: { '200': 5000, '409': 994, '500': failed }, errors: {}, failed, rps };
  return {
    schemaVersion: 1,
    tool: { name: 'loadproof', version: '0.1.0' },
    plan: { name: o.name ?? 'clinic: mixed operations', target: 'http://127.0.0.1:3000' },
    startedAt: '2026-11-22T10:00:00.000Z',
    endedAt: '2026-11-22T10:01:00.000Z',
    durationMs: 60_000,
    interrupted: false,
    workers: 2,
    verdict: {
      status: 'NO-GO',
      reasons: [
        'threshold conflicts rate<=0.2 failed (actual 0.25)',
        'check no_overbooking failed (during): 1 offending row',
      ],
      warnings: ['threshold http_req_duration p(95)<30 missed its target but held p(95)<45 (actual 40)'],
    },
    requests,
    iterations: 6000,
    droppedIterations: 0,
    metrics: {
      http_req_duration: trend(p95),
      http_reqs: { type: 'counter', count: total, rate: rps },
      http_req_failed: { type: 'rate', rate: failed / total, passes: failed, fails: total - failed },
      conflicts: { type: 'rate', rate: 0.25, passes: 1500, fails: 4500 },
      units_reserved: { type: 'counter', count: 4200, rate: 70 },
      projection_lag: { ...trend(80), count: 900 },
    },
    scenarios: {
      mixed: {
        name: 'mixed',
        executor: 'constant-vus',
        startMs: 0,
        durationMs: 60_000,
        requests,
        iterations: 6000,
        droppedIterations: 0,
        metrics: { http_req_duration: trend(p95) },
        endpoints: [
          {
            key: 'POST /api/authorizations/:id/reserve',
            method: 'POST',
            name: '/api/authorizations/:id/reserve',
            requests: {
              ...requests,
              total: 4200,
              failed: (failed * 4200) / total,
              rps: (rps * 4200) / total,
            },
            latency: trend(p95),
          },
        ],
        flows: { reserve: 4200, release: 1200, consume: 600 },
      },
    },
    thresholds: [
      {
        metric: 'http_req_duration',
        expression: 'p(95)<30',
        critical: 'p(95)<45',
        actual: 40,
        level: 'WARN',
        ok: true,
        abortOnFail: false,
      },
      {
        metric: 'http_req_failed',
        expression: 'rate<0.01',
        actual: failed / total,
        level: 'PASS',
        ok: true,
        abortOnFail: false,
      },
      {
        metric: 'conflicts',
        expression: 'rate<=0.2',
        actual: 0.25,
        level: 'FAIL',
        ok: false,
        abortOnFail: false,
      },
    ],
    checks: [
      { name: 'ledger_reconciles', ok: true, runs: 7, failures: 0 },
      {
        name: 'no_overbooking',
        ok: false,
        runs: 7,
        failures: 1,
        phase: 'during',
        message: '1 offending row',
        rows: [{ id: 'a<1>', overbooked_by: 10 }],
      },
    ],
    validity: [
      {
        name: 'maxMissedArrivals',
        description: 'missed + dropped arrivals of the planned ones',
        limit: '<= 1%',
        actual: 'no arrivals planned (closed-model scenarios have none)',
        ok: true,
      },
      {
        name: 'maxAborted',
        description: 'requests that got no response',
        limit: '<= 1%',
        actual: '0% (0 of 6000)',
        ok: true,
      },
      { name: 'minRequests', description: 'requests sent', limit: '>= 1', actual: '6000', ok: true },
    ],
    flowChecks: {
      'reserve answered 200 or 409': { passes: 5994, fails: 6 },
      'body has an id': { passes: 5000, fails: 0 },
    },
    timeline: Array.from({ length: 60 }, (_, i) => ({
      t: i + 1,
      requests: 100,
      byStatus: { '200': 83, '409': 17 },
      errors: {},
      p50: 10,
      p95: p95 + (i % 7),
      p99: p95 * 1.6,
      activeVUs: 100,
      iterations: 100,
      dropped: 0,
    })),
    histograms: {},
  };
}
