/**
 * Scenario 3, mixed operations: 100 VUs, 80% of operations spread over many authorizations and
 * 20% on the contention pool, reserve/release/consume in an exact 70/20/10 mix.
 * p95 < 175 ms; conflicts (409) between 10% and 20%; zero overbooking.
 */
import { definePlan, type Vu } from 'loadproof';
import {
  type ClinicSetup,
  clinicPlanBase,
  integrityChecks,
  isQuick,
  loadFixture,
  type Operation,
  operate,
} from './common.ts';

const f = loadFixture();
const quick = isQuick();
const pool = f.highContentionAuthIds;
const contention = new Set(pool);
const spread = f.authorizations.filter((a) => !contention.has(a.id)).map((a) => a.id);

/** Every fifth operation of a VU goes to the contention pool: 20%. */
function target(vu: Vu): string {
  return vu.iteration % 5 === 0
    ? (pool[(vu.iteration / 5 + vu.id) % pool.length] as string)
    : (spread[(vu.id * 13 + vu.iteration) % spread.length] as string);
}

/**
 * Think time between a practitioner's operations. It sets the request rate, and so how long the
 * authorizations' units last: at about 27 operations/s the spread pool is not exhausted within
 * the 10 minutes of the full profile, and conflicts stay those of real contention.
 */
const THINK_S = 3.5;

const op = (operation: Operation, units: number) => async (vu: Vu) => {
  await operate(vu, f, target(vu), operation, units);
  await vu.sleep(THINK_S * (0.5 + ((vu.scenarioIteration * 7919) % 1000) / 1000));
};

export default definePlan<ClinicSetup>({
  name: 'clinic: mixed operations',
  ...clinicPlanBase(),
  scenarios: {
    mixed: {
      executor: 'constant-vus',
      vus: 100,
      duration: quick ? '15s' : '600s',
      gracefulStop: '10s',
      flow: [
        { name: 'reserve', weight: 70, flow: op('reserve', 5) },
        { name: 'release', weight: 20, flow: op('release', 5) },
        { name: 'consume', weight: 10, flow: op('consume', 3) },
      ],
    },
  },
  thresholds: {
    http_req_duration: [{ threshold: 'p(95)<175', critical: 'p(95)<262' }],
    http_req_failed: ['rate<0.01'],
    conflicts: ['rate>=0.10', 'rate<=0.20'],
    rate_limited: ['count==0'],
  },
  checks: integrityChecks(),
});
