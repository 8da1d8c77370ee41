// Thresholds that fail beside thresholds that hold: k6 exits 99, loadproof 3.

import { check, group } from 'k6';
import http from 'k6/http';
import { Counter, Rate } from 'k6/metrics';

const retries = new Counter('retries');
const served = new Rate('served');

export const options = {
  vus: 2,
  iterations: 10,
  thresholds: {
    http_req_failed: ['rate<0.1'],
    'http_req_failed{name:ok}': ['rate==0'],
    checks: ['rate>0.9'],
    'checks{check:always}': ['rate==1'],
    retries: ['count<5', 'count>0'],
    served: ['rate>=0.5'],
    'http_req_duration{expected_response:true}': ['p(99)<10000'],
    iterations: ['count==10'],
  },
};

export default function () {
  group('flaky', () => {
    const ok = http.get(`${__ENV.TARGET}/status/200`, { tags: { name: 'ok' } });
    const bad = http.get(`${__ENV.TARGET}/status/503`, { tags: { name: 'bad' } });
    check(ok, { always: (x) => x.status === 200 });
    check(bad, { never: (x) => x.status === 200 });
    served.add(ok.status === 200);
    served.add(bad.status === 200);
    retries.add(1);
  });
}
