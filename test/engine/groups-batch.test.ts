/**
 * vu.group (nested, timed, tagging its requests), vu.http.batch (parallel, in order, one intended
 * start) and the default User-Agent, against a loopback server that counts requests in flight.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { definePlan } from '../../src/plan/load.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { runPlan } from '../../src/run/run.ts';
import { VERSION } from '../../src/version.ts';
import { assertMatchesSchema } from '../helpers/schema.ts';

let server: Server;
let url = '';
let inFlight = 0;
let mostInFlight = 0;
const agents: string[] = [];
before(async () => {
  server = createServer((req, res) => {
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    agents.push(req.headers['user-agent'] ?? '');
    const done = (body: string) => {
      inFlight--;
      res.setHeader('content-type', 'application/json');
      res.end(body);
    };
    const delay = Number(/^\/delay\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
    setTimeout(() => done(JSON.stringify({ url: req.url })), delay);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

describe('vu.group, vu.http.batch, User-Agent', () => {
  it('groups nest and are timed, their requests tagged; a batch runs in parallel and answers in order', async () => {
    const order: string[][] = [];
    const plan = validatePlan(
      definePlan({
        target: url,
        scenarios: {
          s: {
            executor: 'per-vu-iterations',
            vus: 1,
            iterations: 4,
            flow: async (vu) => {
              const inner = await vu.group('login', async () => {
                await vu.http.get('/delay/20', { name: '/delay/:ms' });
                return vu.group('token', async () => (await vu.http.get('/token')).status);
              });
              assert.equal(inner, 200, 'a group resolves with what its function returned');
              const answers = await vu.http.batch([
                ['GET', '/delay/40?a'],
                { method: 'GET', url: '/delay/10?b' },
                ['GET', '/delay/25?c', { headers: { 'user-agent': 'my-agent' } }],
              ]);
              order.push(answers.map((a) => (a.body as { url: string }).url));
            },
          },
        },
        thresholds: {
          'group_duration{group:::login}': ['p(95)<5000'],
          'http_reqs{group:::login::token}': ['count==4'],
          'http_reqs{group:::login}': ['count==4'],
        },
      }),
    );
    const r = await runPlan({ plan, workers: 1 });
    assertMatchesSchema(r);
    assert.deepEqual(
      r.thresholds.map((t) => [t.metric, t.level]),
      [
        ['group_duration{group:::login}', 'PASS'],
        ['http_reqs{group:::login::token}', 'PASS'],
        ['http_reqs{group:::login}', 'PASS'],
      ],
    );
    assert.deepEqual(Object.keys(r.groups ?? {}).sort(), ['::login', '::login::token']);
    assert.equal(r.groups?.['::login']?.count, 4);
    assert.ok(
      (r.groups?.['::login']?.min ?? 0) >= 20,
      'the outer group holds its inner one and the 20 ms request',
    );
    for (const urls of order) assert.deepEqual(urls, ['/delay/40?a', '/delay/10?b', '/delay/25?c']);
    assert.ok(mostInFlight >= 3, `a batch's requests are in flight together (${mostInFlight})`);
    assert.ok(agents.includes(`loadproof/${VERSION}`), 'the default User-Agent');
    assert.equal(agents.filter((a) => a === 'my-agent').length, 4, 'a request overrides it');
  });

  it('a group name with :: or no function is an error of the flow', async () => {
    const plan = validatePlan(
      definePlan({
        target: url,
        thresholds: {},
        scenarios: {
          s: {
            executor: 'per-vu-iterations',
            vus: 1,
            iterations: 1,
            flow: async (vu) => {
              await vu.group('a::b', async () => {});
            },
          },
        },
      }),
    );
    const logs: string[] = [];
    const r = await runPlan({ plan, workers: 1, onLog: (m) => logs.push(m) });
    assert.equal(r.metrics.iteration_errors?.type === 'counter' && r.metrics.iteration_errors.count, 1);
    assert.match(logs.join('\n'), /vu\.group: a name is a non-empty string without "::", got "a::b"/);
  });
});
