// constant-arrival-rate: a GET and a check, the same script for loadproof and for k6
// (npm run bench -- k6). TARGET is the server's URL, RATE and SECONDS the load.

import { check } from 'k6';
import http from 'k6/http';

export const options = {
  scenarios: {
    steady: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 5000),
      timeUnit: '1s',
      duration: `${__ENV.SECONDS || 10}s`,
      preAllocatedVUs: Number(__ENV.PRE_ALLOCATED_VUS || 100),
      maxVUs: Number(__ENV.MAX_VUS || 1000),
    },
  },
};

export default function () {
  const res = http.get(`${__ENV.TARGET}/`);
  check(res, { 'status is 200': (r) => r.status === 200 });
}
