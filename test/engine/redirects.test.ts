/**
 * Redirects through the real engine, against a loopback server: followed by default (10, as k6),
 * `redirects: n` per request and `http.redirects` per plan, 0 keeping the 3xx; each hop a request
 * of its own in the metrics; 303 (and 301/302 after a POST) turning into a GET without a body,
 * 307/308 keeping both; cookies set on the way kept. The `artillery` redirect rule (what
 * Artillery flows use): any 3xx followed, all but 307/308 a GET, and no cookie once a hop has
 * left the request's origin.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { definePlan } from '../../src/plan/load.ts';
import type { HttpResponse, PlanInput, Vu } from '../../src/plan/types.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { runPlan } from '../../src/run/run.ts';

let server: Server;
/** The same answers on another port: another origin. */
let otherServer: Server;
let url = '';
let otherUrl = '';
before(async () => {
  const handler: Parameters<typeof createServer>[1] = (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const chain = /^\/chain\/(\d+)$/.exec(u.pathname);
      const status = Number(u.searchParams.get('status') ?? 302);
      if (chain && Number(chain[1]) > 0) {
        res.writeHead(302, { location: `/chain/${Number(chain[1]) - 1}` });
        return res.end();
      }
      if (u.pathname === '/moved') {
        res.writeHead(status, { location: '/echo?from=moved' });
        return res.end('moved');
      }
      if (u.pathname === '/away') {
        res.writeHead(302, { location: u.searchParams.get('to') ?? '/' });
        return res.end();
      }
      if (u.pathname === '/set-then-go') {
        res.writeHead(302, { location: '/echo', 'set-cookie': 'hop=1; Path=/' });
        return res.end();
      }
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          method: req.method,
          body,
          contentType: req.headers['content-type'] ?? null,
          cookie: req.headers.cookie ?? null,
          authorization: req.headers.authorization ?? null,
          proxyAuthorization: req.headers['proxy-authorization'] ?? null,
          path: req.url,
        }),
      );
    });
  };
  server = createServer(handler);
  otherServer = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => otherServer.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  otherUrl = `http://127.0.0.1:${(otherServer.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise<void>((r) => otherServer.close(() => r()));
});

async function runFlow(flow: (vu: Vu) => Promise<void>, http?: PlanInput['http']) {
  const plan = validatePlan(
    definePlan({
      target: url,
      thresholds: {},
      ...(http ? { http } : {}),
      scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 1, flow } },
    }),
  );
  const logs: string[] = [];
  const r = await runPlan({ plan, workers: 1, onLog: (m) => logs.push(m) });
  const errors = r.metrics.iteration_errors;
  assert.equal(errors?.type === 'counter' ? errors.count : 0, 0, logs.join('\n'));
  const requests = Object.fromEntries(
    (r.scenarios.s?.endpoints ?? []).map((e) => [`${e.method} ${e.name}`, e.requests.byStatus]),
  );
  return { r, requests };
}

type Echo = {
  method: string;
  body: string;
  contentType: string | null;
  cookie: string | null;
  authorization: string | null;
  proxyAuthorization: string | null;
  path: string;
};

describe('redirects', () => {
  it('are followed by default, each hop a request of its own; the flow gets the last response and its url', async () => {
    let res: HttpResponse<Echo> | undefined;
    const { requests, r } = await runFlow(async (vu) => {
      res = await vu.http.get('/chain/3', { name: '/chain/:n' });
    });
    assert.equal(res?.status, 200);
    assert.equal(res?.url, `${url}/chain/0`);
    assert.equal(res?.body.path, '/chain/0');
    assert.deepEqual(requests, {
      'GET /chain/:n': { 302: 1 },
      'GET /chain/2': { 302: 1 },
      'GET /chain/1': { 302: 1 },
      'GET /chain/0': { 200: 1 },
    });
    assert.equal(r.requests.total, 4);
  });

  it('stop after `redirects` hops (per request, else the plan) and give the 3xx; 0 keeps it', async () => {
    const got: [number, string | undefined][] = [];
    const { requests } = await runFlow(
      async (vu) => {
        for (const res of [
          await vu.http.get('/chain/5'),
          await vu.http.get('/chain/5', { redirects: 0 }),
          await vu.http.get('/chain/1', { redirects: 1 }),
        ])
          got.push([res.status, res.headers.location]);
      },
      { redirects: 2 },
    );
    assert.deepEqual(got, [
      [302, '/chain/2'],
      [302, '/chain/4'],
      [200, undefined],
    ]);
    assert.deepEqual(requests['GET /chain/5'], { 302: 2 });
    assert.deepEqual(requests['GET /chain/4'], { 302: 1 });
    assert.deepEqual(requests['GET /chain/0'], { 200: 1 });
  });

  it('303, and 301/302 after a POST, become a GET without a body; 307 and 308 keep method and body', async () => {
    const seen: Record<string, Pick<Echo, 'method' | 'body' | 'contentType'>> = {};
    await runFlow(async (vu) => {
      for (const status of [301, 302, 303, 307, 308]) {
        const res = await vu.http.post(`/moved?status=${status}`, { json: { n: status } });
        const { method, body, contentType } = res.body as Echo;
        seen[`POST ${status}`] = { method, body, contentType };
      }
      const put = (await vu.http.put('/moved?status=303', { body: 'x' })).body as Echo;
      seen['PUT 303'] = { method: put.method, body: put.body, contentType: put.contentType };
      const put302 = (await vu.http.put('/moved?status=302', { body: 'y' })).body as Echo;
      seen['PUT 302'] = { method: put302.method, body: put302.body, contentType: put302.contentType };
    });
    const get = { method: 'GET', body: '', contentType: null };
    const json = (n: number) => ({
      method: 'POST',
      body: JSON.stringify({ n }),
      contentType: 'application/json',
    });
    assert.deepEqual(seen, {
      'POST 301': get,
      'POST 302': get,
      'POST 303': get,
      'POST 307': json(307),
      'POST 308': json(308),
      'PUT 303': get,
      'PUT 302': { method: 'PUT', body: 'y', contentType: null },
    });
  });

  it('cookies a hop sets go to the jar and with the next hop', async () => {
    let cookie: string | null = null;
    await runFlow(async (vu) => {
      cookie = ((await vu.http.get('/set-then-go')).body as Echo).cookie;
    });
    assert.equal(cookie, 'hop=1');
  });

  it("credentials, a hand-set cookie and the request's cookies stay with the origin; the jar's go where they match", async () => {
    const seen: Pick<Echo, 'cookie' | 'authorization' | 'proxyAuthorization'>[] = [];
    await runFlow(async (vu) => {
      vu.http.cookies.set('/', 'fromJar', '1');
      const options = {
        headers: { authorization: 'Bearer t', 'proxy-authorization': 'Basic p', cookie: 'byHand=1' },
        cookies: { own: '1' },
      };
      for (const to of ['/echo', `${otherUrl}/echo`]) {
        const { cookie, authorization, proxyAuthorization } = (
          await vu.http.get(`/away?to=${encodeURIComponent(to)}`, options)
        ).body as Echo;
        seen.push({ cookie, authorization, proxyAuthorization });
      }
    });
    assert.deepEqual(seen, [
      { cookie: 'byHand=1; fromJar=1; own=1', authorization: 'Bearer t', proxyAuthorization: 'Basic p' },
      // Another port is another origin, but the same host for cookies (RFC 6265: no ports).
      { cookie: 'fromJar=1', authorization: null, proxyAuthorization: null },
    ]);
  });

  it("a request's redirects must be an integer from 0: anything else fails the iteration, never loops", async () => {
    const messages: string[] = [];
    await runFlow(async (vu) => {
      for (const bad of [Number.NaN, -1, 'all'])
        await vu.http
          .get('/chain/1', { redirects: bad as number })
          .catch((e: Error) => messages.push(e.message));
    });
    assert.deepEqual(messages, [
      'redirects: expected an integer from 0 (keep the 3xx), got NaN',
      'redirects: expected an integer from 0 (keep the 3xx), got -1',
      'redirects: expected an integer from 0 (keep the 3xx), got all',
    ]);
  });

  it('http.redirects must be an integer from 0 to 100', () => {
    for (const bad of [-1, 1.5, '3', 101])
      assert.throws(
        () =>
          validatePlan(definePlan({ target: url, http: { redirects: bad as number }, flow: async () => {} })),
        /http\.redirects: expected an integer from 0 \(keep the 3xx\) to 100/,
      );
  });
});

describe("redirects by the 'artillery' rule", () => {
  it('follow any 3xx with a Location; all but 307 and 308 become a GET without a body, a HEAD stays a HEAD', async () => {
    const seen: Record<string, Pick<Echo, 'method' | 'body' | 'contentType'> | number> = {};
    const { requests } = await runFlow(async (vu) => {
      const artillery = { redirectRule: 'artillery' } as const;
      for (const status of [300, 301, 302, 303, 305, 307, 308]) {
        const res = await vu.http.put(`/moved?status=${status}`, { ...artillery, json: { n: status } });
        const { method, body, contentType } = res.body as Echo;
        seen[`PUT ${status}`] = { method, body, contentType };
      }
      seen['HEAD 301'] = (await vu.http.head('/moved?status=301', artillery)).status;
      // The standard rule answers with a 300 itself.
      seen['PUT 300 standard'] = (await vu.http.put('/moved?status=300', { json: {} })).status;
    });
    const get = { method: 'GET', body: '', contentType: null };
    const json = (n: number) => ({
      method: 'PUT',
      body: JSON.stringify({ n }),
      contentType: 'application/json',
    });
    assert.deepEqual(seen, {
      'PUT 300': get,
      'PUT 301': get,
      'PUT 302': get,
      'PUT 303': get,
      'PUT 305': get,
      'PUT 307': json(307),
      'PUT 308': json(308),
      'HEAD 301': 200,
      'PUT 300 standard': 300,
    });
    assert.deepEqual(requests['HEAD /echo'], { 200: 1 });
  });

  it("carry no cookie, the jar's nor the request's, once a hop has left the request's origin, even back at it", async () => {
    const seen: Record<string, string | null> = {};
    await runFlow(async (vu) => {
      vu.http.cookies.set('/', 'fromJar', '1');
      const there = `${otherUrl}/away?to=${encodeURIComponent(`${url}/echo`)}`;
      const andBack = `/away?to=${encodeURIComponent(there)}`;
      const options = { cookies: { own: '1' }, headers: { cookie: 'byHand=1' } };
      seen.artillery = (
        (await vu.http.get(andBack, { ...options, redirectRule: 'artillery' })).body as Echo
      ).cookie;
      seen.standard = ((await vu.http.get(andBack, options)).body as Echo).cookie;
      seen['artillery, within the origin'] = (
        (await vu.http.get('/away?to=/echo', { ...options, redirectRule: 'artillery' })).body as Echo
      ).cookie;
    });
    assert.deepEqual(seen, {
      artillery: null,
      // The standard rule: the jar's and the request's own cookies are back with their origin.
      standard: 'fromJar=1; own=1',
      'artillery, within the origin': 'byHand=1; fromJar=1; own=1',
    });
  });

  it('a redirectRule other than standard or artillery fails the iteration', async () => {
    const messages: string[] = [];
    await runFlow(async (vu) => {
      await vu.http
        .get('/chain/1', { redirectRule: 'browser' as 'standard' })
        .catch((e: Error) => messages.push(e.message));
    });
    assert.deepEqual(messages, ['redirectRule: expected standard or artillery, got browser']);
  });
});
