// 1000 VUs held for the whole run, each a GET then a 1 s sleep: peak RSS of loadproof and of k6
// (npm run bench -- k6). TARGET is the server's URL, VUS and SECONDS the load.

import { check, sleep } from 'k6';
import http from 'k6/http';

export const options = {
  scenarios: {
    held: {
      executor: 'constant-vus',
      vus: Number(__ENV.VUS || 1000),
      duration: `${__ENV.SECONDS || 20}s`,
    },
  },
};

export default function () {
  const res = http.get(`${__ENV.TARGET}/`);
  check(res, { 'status is 200': (r) => r.status === 200 });
  sleep(1);
}
