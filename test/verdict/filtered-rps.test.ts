/**
 * rps of a series filtered by a tag other than the scenario is taken over the time that series
 * had requests, not over the whole run: an endpoint called only in the last second of a 3 s run
 * at 50/s has an rps near 50, not 50 / 3.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { definePlan } from '../../src/plan/load.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { runPlan } from '../../src/run/run.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

describe('rps of a filtered series', () => {
  it('is taken from its first request to its last', async () => {
    const plan = validatePlan(
      definePlan({
        target: server.url,
        scenarios: {
          s: {
            executor: 'constant-arrival-rate',
            rate: 50,
            duration: '3s',
            maxVUs: 20,
            flow: async (vu) => {
              // The first 100 arrivals (2 s) call /hello; the last 50 (1 s) call /status/200.
              if (vu.scenarioIteration < 100) await vu.http.get('/hello', { name: 'early' });
              else await vu.http.get('/status/200', { name: 'late' });
            },
          },
        },
        thresholds: {
          'http_reqs{name:late}': ['rps>35', 'count==50'],
          http_reqs: ['rps<60'],
        },
      }),
    );
    const results = await runPlan({ plan });
    const late = results.thresholds.filter((t) => t.metric === 'http_reqs{name:late}');
    assert.equal(late.find((t) => t.expression === 'count==50')?.level, 'PASS');
    const rps = late.find((t) => t.expression === 'rps>35');
    assert.equal(rps?.level, 'PASS', `rps of the late endpoint: ${rps?.actual}`);
    assert.ok((rps?.actual ?? 0) < 80, `rps ${rps?.actual}: 50 requests over about one second`);
    const run = results.thresholds.find((t) => t.metric === 'http_reqs');
    assert.ok((run?.actual ?? 0) < 60, `the run's own rps ${run?.actual} stays over the whole run`);
  });
});
