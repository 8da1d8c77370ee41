/**
 * Smoke: a few devices, a therapist and an admin touch every endpoint for a short while (seed
 * 004: 5 VUs, 30 s). Thresholds of the seed's table; every integrity check.
 */
import { definePlan } from 'loadproof';
import { rehabKit } from './common.ts';
import type { RehabSetup } from './fixture.ts';
import { therapistRound } from './flows.ts';

const {
  adminRound,
  apiThresholds,
  deviceSession,
  integrityChecks,
  patientFor,
  profile,
  rehabPlanBase,
  therapistFor,
} = rehabKit();

export default definePlan<RehabSetup>({
  name: 'rehab: smoke',
  ...rehabPlanBase(),
  scenarios: {
    smoke: {
      executor: 'constant-vus',
      vus: profile.smoke.vus,
      duration: profile.smoke.duration,
      gracefulStop: '15s',
      flow: [
        {
          name: 'patient',
          weight: 3,
          flow: (vu) => deviceSession(vu, patientFor(vu.id - 1), vu.scenarioIteration),
        },
        {
          name: 'therapist',
          weight: 1,
          flow: (vu) => therapistRound(vu, therapistFor(vu.scenarioIteration), vu.scenarioIteration),
        },
        { name: 'admin', weight: 1, flow: (vu) => adminRound(vu) },
      ],
    },
  },
  thresholds: apiThresholds(),
  checks: integrityChecks(),
});
