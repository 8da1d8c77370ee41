import { check, sleep } from 'k6';
import http from 'k6/http';

export const options = {
  vus: 2,
  duration: '2s',
  thresholds: { checks: ['rate==1'] },
};

const target = __ENV.TARGET || 'http://127.0.0.1:8080';

export default function () {
  const res = http.get(`${target}/api/items`, { tags: { name: 'items' } });
  check(res, { 'is 200': (r) => r.status === 200 });
  sleep(0.2);
}
