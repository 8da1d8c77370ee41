/**
 * Scenario 2, high throughput: VUs ramp to 200 and reserve 5 units across the larger
 * authorizations (200 and 1000 units), with little contention. p95 < 150 ms, p99 < 300 ms,
 * error rate < 2%, >= 100 requests/s sustained.
 *
 * Each iteration reserves 5 units and then releases them (a session scheduled and moved): the
 * units available stay constant, so a long run measures throughput rather than exhaustion.
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
const contention = new Set(f.highContentionAuthIds);
const spread = f.authorizations.filter((a) => !contention.has(a.id)).map((a) => a.id);

export default definePlan<ClinicSetup>({
  name: 'clinic: high throughput',
  ...clinicPlanBase(),
  scenarios: {
    throughput: {
      executor: 'ramping-vus',
      startVUs: 10,
      stages: quick
        ? [
            { duration: '5s', target: 200 },
            { duration: '10s', target: 200 },
          ]
        : [
            { duration: '60s', target: 200 },
            { duration: '240s', target: 200 },
          ],
      gracefulStop: '10s',
      flow: async (vu) => {
        const authId = spread[(vu.id * 7 + vu.iteration) % spread.length] as string;
        const reserved = await operate(vu, f, authId, 'reserve', 5);
        if (reserved.status === 200) await operate(vu, f, authId, 'release', 5);
        await vu.sleep(0.05);
      },
    },
  },
  thresholds: {
    http_req_duration: [
      { threshold: 'p(95)<150', critical: 'p(95)<225' },
      { threshold: 'p(99)<300', critical: 'p(99)<450' },
    ],
    http_req_failed: ['rate<0.02'],
    http_reqs: ['rps>=100'],
    rate_limited: ['count==0'],
  },
  checks: integrityChecks(),
});
