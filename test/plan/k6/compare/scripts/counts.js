// Counts where loadproof and k6 v0.47 part on purpose (known-differences.ts): a constant-arrival-rate
// of 20/s for 5 s, where k6 also starts the arrival due at exactly the end (101), and a request
// made in setup(), which k6 counts in http_reqs and loadproof does not.

import http from 'k6/http';

export const options = {
  scenarios: {
    arrivals: {
      executor: 'constant-arrival-rate',
      rate: 20,
      timeUnit: '1s',
      duration: '5s',
      preAllocatedVUs: 5,
      maxVUs: 20,
    },
  },
  thresholds: {
    'iterations{scenario:arrivals}': ['count==101'],
    http_reqs: ['count==102'],
  },
};

export function setup() {
  http.get(`${__ENV.TARGET}/items`);
}

export default function () {
  http.get(`${__ENV.TARGET}/items`);
}
