// setup() data reaching every VU, http.batch, teardown(data). k6 measures setup and teardown
// requests, loadproof does not (on purpose): the comparison counts only the requests of the load,
// and the server's counts hold them all.

import { check } from 'k6';
import http from 'k6/http';

export const options = {
  scenarios: {
    batches: { executor: 'shared-iterations', vus: 2, iterations: 6 },
  },
  thresholds: {
    'http_reqs{name:batched}': ['count==12'],
    'checks{check:setup data arrived}': ['rate==1'],
    iterations: ['count==6'],
  },
};

export function setup() {
  const r = http.get(`${__ENV.TARGET}/items`);
  return { ids: r.json('items').map((i) => i.id) };
}

export default function (data) {
  check(data, { 'setup data arrived': (d) => d.ids.length === 3 });
  const responses = http.batch([
    ['GET', `${__ENV.TARGET}/status/200`, null, { tags: { name: 'batched' } }],
    ['GET', `${__ENV.TARGET}/status/404`, null, { tags: { name: 'batched' } }],
    ['POST', `${__ENV.TARGET}/orders`, JSON.stringify({ id: data.ids[0] })],
  ]);
  check(responses, {
    'batch answered in order': (rs) => rs.map((r) => r.status).join() === '200,404,201',
  });
}

export function teardown(data) {
  http.post(`${__ENV.TARGET}/orders`, JSON.stringify({ done: data.ids.length }), { tags: { name: 'done' } });
}
