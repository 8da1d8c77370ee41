/**
 * Scenario 1, high contention: 50 VUs reserve 10 units on the 50-unit authorizations, with
 * tokens of the authorization's own organization. Per authorization exactly 5 reserves succeed
 * and every other one gets 409; p95 < 200 ms, p99 < 500 ms; zero overbooking.
 */
import { definePlan } from 'loadproof';
import {
  type ClinicSetup,
  clinicPlanBase,
  integrityChecks,
  isQuick,
  loadFixture,
  operate,
} from './common.ts';

const f = loadFixture();
const quick = isQuick();
const pool = f.highContentionAuthIds;

export default definePlan<ClinicSetup>({
  name: 'clinic: high contention',
  ...clinicPlanBase(),
  scenarios: {
    contention: {
      executor: 'constant-vus',
      vus: 50,
      duration: quick ? '10s' : '60s',
      gracefulStop: '10s',
      flow: async (vu) => {
        // Every VU walks the pool in the same order, so the 50 VUs race on one authorization at a
        // time, as in the seed: 50 concurrent reserves of 10 units on 50 available units.
        const authId = pool[vu.iteration % pool.length] as string;
        await operate(vu, f, authId, 'reserve', 10);
      },
    },
  },
  thresholds: {
    http_req_duration: [
      { threshold: 'p(95)<200', critical: 'p(95)<300' },
      { threshold: 'p(99)<500', critical: 'p(99)<750' },
    ],
    http_req_failed: ['rate<0.01'],
    rate_limited: ['count==0'],
  },
  checks: {
    ...integrityChecks(),
    five_reserves_each: {
      description: 'every 50-unit authorization holds exactly 5 reserves of 10 units',
      run: (ctx) =>
        pool
          .map((id) => ({ id, acknowledged_units: ctx.counter(`acked_reserve:${id}`) }))
          .filter((r) => r.acknowledged_units !== 50),
    },
  },
});
