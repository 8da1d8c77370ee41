// handleSummary(data): the parts of k6's summary data that do not depend on timing, written to
// the file __ENV.SUMMARY_OUT names (the comparison keeps that file beside the other facts).

import { check, group } from 'k6';
import http from 'k6/http';
import { Counter, Gauge, Rate } from 'k6/metrics';

const seen = new Counter('items_seen');
const open = new Rate('orders_open');
const depth = new Gauge('queue_depth');

export const options = {
  vus: 1,
  iterations: 3,
  thresholds: {
    items_seen: ['count==9'],
    'http_reqs{status:404}': ['count==3'],
    checks: ['rate>0.5'],
  },
};

export default function () {
  group('browse', () => {
    const r = http.get(`${__ENV.TARGET}/items`);
    check(r, { listed: (x) => x.status === 200 });
    seen.add(r.json('items').length);
    group('detail', () => {
      const gone = http.get(`${__ENV.TARGET}/items/9`);
      check(gone, { 'detail found': (x) => x.status === 200 });
    });
  });
  open.add(__ITER !== 1);
  depth.add(__ITER + 5);
  check(null, { 'root check': () => true });
}

const countsOf = (checks) =>
  checks.map((c) => ({ name: c.name, path: c.path, passes: c.passes, fails: c.fails }));
const groupsOf = (groups) =>
  groups.map((g) => ({ name: g.name, path: g.path, checks: countsOf(g.checks), groups: groupsOf(g.groups) }));

export function handleSummary(data) {
  const m = data.metrics;
  const pick = {
    iterations: m.iterations.values.count,
    http_reqs: m.http_reqs.values.count,
    http_reqs_404: m['http_reqs{status:404}'].values.count,
    http_req_failed: { passes: m.http_req_failed.values.passes, fails: m.http_req_failed.values.fails },
    checks: { passes: m.checks.values.passes, fails: m.checks.values.fails },
    items_seen: m.items_seen.values.count,
    orders_open: m.orders_open.values,
    queue_depth: m.queue_depth.values,
    types: Object.fromEntries(
      [
        'http_reqs',
        'http_req_duration',
        'checks',
        'iterations',
        'group_duration',
        'items_seen',
        'orders_open',
        'queue_depth',
      ].map((name) => [name, { type: m[name].type, contains: m[name].contains }]),
    ),
    thresholds: Object.fromEntries(
      Object.entries(m)
        .filter(([, v]) => v.thresholds)
        .map(([name, v]) => [name, v.thresholds]),
    ),
    root: {
      name: data.root_group.name,
      path: data.root_group.path,
      checks: countsOf(data.root_group.checks),
    },
    groups: groupsOf(data.root_group.groups),
  };
  return { [__ENV.SUMMARY_OUT]: JSON.stringify(pick) };
}
