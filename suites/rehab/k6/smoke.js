// Smoke (seed 004's smoke run) in k6's own API: a few devices, a therapist and an admin touch
// every endpoint for a short while (5 VUs, 30 s; quick profile 5 s), with the API thresholds of
// the seed's table. Runs under `loadproof run` and `k6 run` alike (see docs/reference-services.md, the rehab suite).
import exec from 'k6/execution';
import {
  adminRound,
  deviceSession,
  patientFor,
  rehabSetup,
  therapistFor,
  therapistRound,
} from './lib/flows.js';
import { config, profile } from './lib/setting.js';
import { apiThresholds } from './lib/thresholds.js';

export const options = {
  scenarios: {
    smoke: {
      executor: 'constant-vus',
      vus: profile.smoke.vus,
      duration: profile.smoke.duration,
      gracefulStop: '15s',
    },
  },
  thresholds: apiThresholds(config.thresholds),
};

export function setup() {
  return rehabSetup();
}

/** Three device sessions, a therapist's round and an admin's look in every five iterations. */
export default function (data) {
  const n = exec.scenario.iterationInTest;
  const slot = n % 5;
  if (slot < 3) deviceSession(data, patientFor(__VU - 1), n);
  else if (slot === 3) therapistRound(therapistFor(n), n);
  else adminRound();
}
