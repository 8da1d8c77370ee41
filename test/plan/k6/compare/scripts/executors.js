// Executors whose iteration counts are fixed: arrival-rate (open model) and iteration-based (closed).
// No arrival lands on its scenario's very end: k6 may or may not start an iteration due exactly then
// (its timer and its deadline race), so such a schedule has no one count to compare.

import { check } from 'k6';
import http from 'k6/http';

export const options = {
  scenarios: {
    constant: {
      executor: 'constant-arrival-rate',
      rate: 20,
      timeUnit: '1s',
      duration: '2020ms',
      preAllocatedVUs: 5,
      maxVUs: 20,
      exec: 'browse',
    },
    ramp: {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnit: '1s',
      preAllocatedVUs: 5,
      maxVUs: 20,
      stages: [
        { duration: '1s', target: 15 },
        { duration: '1s', target: 15 },
      ],
      exec: 'browse',
    },
    steady: {
      executor: 'ramping-arrival-rate',
      startRate: 10,
      timeUnit: '1s',
      preAllocatedVUs: 5,
      maxVUs: 20,
      stages: [
        { duration: '1s', target: 10 },
        { duration: '500ms', target: 20 },
      ],
      startTime: '300ms',
      exec: 'browse',
    },
    shared: {
      executor: 'shared-iterations',
      vus: 3,
      iterations: 7,
      exec: 'order',
    },
    pervu: {
      executor: 'per-vu-iterations',
      vus: 2,
      iterations: 3,
      startTime: '500ms',
      exec: 'missing',
    },
  },
  thresholds: {
    'iterations{scenario:constant}': ['count==41'],
    'iterations{scenario:ramp}': ['count==22'],
    'iterations{scenario:steady}': ['count==17'],
    'http_reqs{scenario:shared}': ['count==7'],
    'http_req_duration{scenario:ramp}': ['p(95)<5000'],
    checks: ['rate==1'],
  },
};

export function browse() {
  const r = http.get(`${__ENV.TARGET}/items`);
  check(r, { 'items listed': (x) => x.status === 200 });
}

export function order() {
  const r = http.post(`${__ENV.TARGET}/orders`, JSON.stringify({ sku: 'a-1' }), {
    headers: { 'content-type': 'application/json' },
  });
  check(r, { 'order created': (x) => x.status === 201 });
}

export function missing() {
  const r = http.get(`${__ENV.TARGET}/status/404`);
  check(r, { 'missing is 404': (x) => x.status === 404 });
}
