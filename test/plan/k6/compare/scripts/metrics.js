// Checks that pass and fail, nested groups, several statuses, custom metrics with tags, and
// thresholds that all hold (exit 0).

import { check, group } from 'k6';
import http from 'k6/http';
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';

const orders = new Counter('orders_placed');
const inStock = new Rate('in_stock');
const basket = new Trend('basket_size');
const wait = new Trend('queue_wait', true);
const lastItems = new Gauge('last_items');

export const options = {
  scenarios: {
    shop: { executor: 'per-vu-iterations', vus: 2, iterations: 4, exec: 'shop' },
    audit: { executor: 'shared-iterations', vus: 1, iterations: 3, exec: 'audit' },
  },
  thresholds: {
    orders_placed: ['count==16'],
    'orders_placed{kind:express}': ['count==8'],
    in_stock: ['rate==0.75'],
    'in_stock{shelf:top}': ['rate==1'],
    basket_size: ['avg<2.6', 'max<4.1'],
    'basket_size{kind:express}': ['min==4'],
    queue_wait: ['p(50)<100'],
    last_items: ['value==3'],
    'checks{check:order created}': ['rate==1'],
    'checks{area:audit}': ['rate==0'],
    'http_reqs{status:500}': ['count==3'],
    'http_reqs{status:404}': ['count==3'],
    'group_duration{group:::shop::cart}': ['max<10000'],
    'http_req_failed{scenario:shop}': ['rate==0'],
  },
};

export function shop() {
  group('shop', () => {
    group('catalog', () => {
      const r = http.get(`${__ENV.TARGET}/items`);
      check(r, { 'items listed': (x) => x.status === 200, 'three items': (x) => x.json('items.#') === 3 });
      lastItems.add(r.json('items.#'));
    });
    group('cart', () => {
      const r = http.post(`${__ENV.TARGET}/orders`, '{}', { tags: { name: 'create order' } });
      check(r, { 'order created': (x) => x.status === 201 });
      orders.add(1, { kind: 'standard' });
      orders.add(1, { kind: 'express' });
      basket.add(1);
      basket.add(4, { kind: 'express' });
      wait.add(25);
    });
  });
  inStock.add(true, { shelf: 'top' });
  inStock.add(__ITER % 2 === 0, { shelf: 'bottom' });
}

export function audit() {
  group('audit', () => {
    const broken = http.get(`${__ENV.TARGET}/status/500`);
    const gone = http.get(`${__ENV.TARGET}/nowhere`);
    check(broken, { 'audit sees 200': (x) => x.status === 200 }, { area: 'audit' });
    check(gone, { 'audit sees 200 too': (x) => x.status === 200 }, { area: 'audit' });
  });
}
