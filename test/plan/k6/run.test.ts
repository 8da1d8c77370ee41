/**
 * `loadproof run script.js` on k6 scripts (fixtures written in k6 v0.47's API), through the
 * CLI, against the recording loopback server: what each script must have sent, and what the
 * results must say.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ResultsFile } from '../../../src/results/types.ts';
import { assertMatchesSchema } from '../../helpers/schema.ts';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());
beforeEach(() => server.reset());

const run = (script: string, args: string[] = []) => runK6(server, script, args);

const thresholdsOf = (res: ResultsFile) =>
  Object.fromEntries(res.thresholds.map((t) => [`${t.metric} ${t.expression}`, t.ok]));

describe('loadproof run script.js (k6)', () => {
  it('runs scenarios, setup data, groups, checks and custom metrics as k6 does', async () => {
    const r = await run('shop.js');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(server.paths(), {
      'GET /token': 1,
      'GET /ids': 6,
      'GET /users/11': 6,
      'GET /users/12': 6,
      'GET /users/101': 6,
      'GET /users/102': 6,
      'POST /orders': 4,
      'POST /teardown': 1,
    });
    for (const q of server.requests.filter((x) => x.path === '/ids'))
      assert.equal(q.headers.authorization, 'Bearer tok-1', 'setup() data reaches every VU');
    const orders = server.requests.filter((x) => x.path === '/orders').map((x) => JSON.parse(x.body));
    assert.deepEqual(
      orders.map((o) => [o.iter, o.mode, o.token]),
      [
        [0, 'buy', 'tok-1'],
        [1, 'buy', 'tok-1'],
        [2, 'buy', 'tok-1'],
        [3, 'buy', 'tok-1'],
      ],
      '__ITER counts the VU iterations; __ENV has the scenario env over --env',
    );
    const buyers = new Set(orders.map((o) => o.vu));
    assert.equal(buyers.size, 1, `__VU: the buy scenario's one VU made every order: ${[...buyers]}`);
    assert.ok(Number.isInteger([...buyers][0]) && ([...buyers][0] as number) >= 1);
    const teardown = server.requests.find((x) => x.path === '/teardown');
    assert.deepEqual(JSON.parse(teardown?.body ?? '{}'), { token: 'tok-1', started: 'yes' });
    assert.equal(server.requests[0]?.path, '/token', 'setup() runs before the load');
    assert.equal(server.requests.at(-1)?.path, '/teardown', 'teardown() after it');

    const res = r.results();
    assertMatchesSchema(res);
    assert.equal(res.verdict.status, 'GO');
    assert.deepEqual(
      Object.values(thresholdsOf(res)).filter((ok) => !ok),
      [],
      'every threshold of the script holds',
    );
    assert.deepEqual(Object.keys(thresholdsOf(res)).sort(), [
      'checks rate==1',
      'checks{check:user matches} rate==1',
      'http_reqs{scenario:browse} count==30',
      'open_items{kind:first} rate==1',
      'orders_placed count==4',
    ]);
    assert.deepEqual(res.flowChecks, {
      'ids answered': { passes: 6, fails: 0 },
      'first item open': { passes: 6, fails: 0 },
      'user matches': { passes: 12, fails: 0 },
      'order accepted': { passes: 4, fails: 0 },
    });
    assert.deepEqual(Object.keys(res.groups ?? {}).sort(), ['::catalog', '::catalog::users']);
    assert.equal(res.groups?.['::catalog']?.count, 6);
    assert.equal(res.scenarios.browse?.iterations, 6, 'per-vu-iterations: 2 VUs × 3');
    assert.equal(res.scenarios.buy?.iterations, 4);
    assert.ok((res.scenarios.buy?.startMs ?? 0) >= 150, 'startTime delays the buy scenario');
    const names = (res.scenarios.browse?.endpoints ?? []).map((e) => e.key).sort();
    assert.deepEqual(
      names,
      [`GET ${server.url}/ids`, 'GET user'],
      'tags.name groups the user URLs; others are named by their URL, as in k6',
    );
    assert.deepEqual(
      [res.metrics.orders_placed?.type, res.metrics.basket_size?.type, res.metrics.open_items?.type],
      ['counter', 'trend', 'rate'],
    );
    const gauge = res.metrics.last_vu;
    assert.ok(gauge?.type === 'gauge' && gauge.min === 1 && gauge.max === 2, JSON.stringify(gauge));
  });

  it('k6/http details, k6/data, k6/execution, k6/encoding, k6/crypto, open() and local modules', async () => {
    const r = await run('toolbox.js');
    assert.equal(r.code, 0, r.stderr);
    const res = r.results();
    assert.equal(res.validity?.find((c) => c.name === 'maxAborted')?.loosened, true, 'options.validity');
    assert.equal(res.iterations, 6, 'vus + iterations: shared-iterations');
    for (const [name, v] of Object.entries(res.flowChecks))
      assert.deepEqual(v, { passes: 6, fails: 0 }, name);
    assert.equal(Object.keys(res.flowChecks).length, 11);
    const endpoints = (res.scenarios.default?.endpoints ?? []).map((e) => e.key);
    assert.ok(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the name k6 gives has a literal ${}.
      endpoints.includes('GET ${}/users/t${}'),
      `http.url names its requests: ${endpoints.join(', ')}`,
    );
    assert.equal(server.requests.filter((q) => /^\/users\/t\d+$/.test(q.path)).length, 6);
    const logins = server.requests.filter((q) => q.path.startsWith('/login-as/'));
    assert.deepEqual(logins.map((q) => q.path.slice('/login-as/'.length)).sort(), [
      'alice',
      'alice',
      'bob',
      'bob',
      'carol',
      'carol',
    ]);
    for (const q of logins) {
      assert.equal(
        q.headers['content-type'],
        'application/x-www-form-urlencoded',
        'an object body is a form',
      );
      assert.match(q.body, /^password=[a-z]+-pass&remember=yes$/);
    }
    const echo = JSON.parse(server.requests.find((q) => q.path === '/echo')?.body ?? '{}');
    assert.equal(echo.sha, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(echo.hmac, 'UDH+PZicbRU3oBP6bnOdojRj/a7DtwE32Cjjas4iG9A=');
    assert.equal(echo.b64, 'aGkgdGhlcmU=');
    assert.equal(echo.back, 'hi there');
    assert.equal(echo.bytes, 62, "open(path, 'b') reads the bytes, relative to the script");
    assert.equal(echo.scenario, 'default');
    assert.deepEqual(res.requests.errors, { ECONNREFUSED: 6, ETIMEDOUT: 6 });
    assert.equal(res.requests.byStatus['404'], 6);
  });

  it('test-wide options: userAgent, discardResponseBodies, tags; init code sees --env', async () => {
    const r = await run('extras.js', ['--env', 'MODE=init']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(server.paths(), { 'GET /users/init': 2 });
    for (const q of server.requests) assert.equal(q.headers['user-agent'], 'probe/1.0');
    assert.match(r.stderr, /options\.summaryTrendStats only shapes k6's own summary: ignored/);
    const res = r.results();
    assert.deepEqual(thresholdsOf(res), { 'http_reqs{suite:extras} count==2': true, 'checks rate==1': true });
    assert.deepEqual(res.flowChecks, { 'body discarded': { passes: 2, fails: 0 } });
  });

  it('arrival-rate scenarios start exactly the iterations their rate gives (timeUnit, startTime)', async () => {
    const r = await run('arrivals.js');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(server.paths(), { 'GET /users/constant': 20, 'GET /users/ramp': 10 });
    const res = r.results();
    assert.equal(res.scenarios.constant?.executor, 'constant-arrival-rate');
    assert.equal(res.scenarios.ramp?.executor, 'ramping-arrival-rate');
    assert.ok((res.scenarios.ramp?.startMs ?? 0) >= 900, 'startTime 1s');
    assert.deepEqual(thresholdsOf(res), {
      'iterations{scenario:constant} count==20': true,
      'iterations{scenario:ramp} count==10': true,
      'k6_test_aborted count<1': true,
    });
  });

  it('a threshold with abortOnFail and a tag filter stops the run; fail() fails the iteration', async () => {
    const r = await run('failing.js');
    assert.equal(r.code, 3, r.stderr);
    const res = r.results();
    assert.equal(res.verdict.status, 'NO-GO');
    assert.equal(res.interrupted, true, 'abortOnFail stopped the 20 s run');
    assert.ok(res.durationMs < 10_000, `stopped early: ${res.durationMs} ms`);
    const t = res.thresholds.find((x) => x.metric === 'http_req_failed{name:flaky}');
    assert.equal(t?.ok, false);
    assert.equal(t?.aborted, true);
    assert.match(r.stderr, /iteration failed: Error: status 500/);
    assert.equal(res.metrics.iteration_failed?.type === 'rate' && res.metrics.iteration_failed.rate, 1);
  });

  it('exec.test.abort() stops the whole test', async () => {
    const r = await run('abort.js');
    assert.equal(r.code, 3, r.stderr);
    const res = r.results();
    assert.equal(res.interrupted, true);
    assert.ok(res.durationMs < 10_000, `the 30 s test stopped early: ${res.durationMs} ms`);
    assert.match(r.stderr, /AbortError: test aborted: enough/);
    assert.ok(
      server.requests.length >= 6 && server.requests.length < 40,
      `${server.requests.length} requests`,
    );
  });

  it('runs the script it is given even with a TypeScript file of the same name beside it', async () => {
    const r = await run('twin.js');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(server.paths(), { 'GET /users/twin': 1 }, 'no options: one VU, one iteration');
  });

  it('setup() longer than options.setupTimeout fails the run before any load', async () => {
    const r = await run('slow-setup.js');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /setup\(\) did not finish within 300ms/);
    assert.deepEqual(server.paths(), { 'GET /delay/3000': 1 });
  });

  it('an unsupported module is an error naming it and its line, before any load', async () => {
    const r = await run('unsupported-import.js');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /line 2: "k6\/ws" is not supported by loadproof/);
    assert.equal(server.requests.length, 0);
  });

  it('unsupported options are errors naming them and their lines', async () => {
    const r = await run('unsupported-options.js');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /options\.hosts \(line 12\): the option "hosts" is not supported/);
    assert.match(
      r.stderr,
      /options\.scenarios\.manual\.executor \(line 6\): the externally-controlled executor/,
    );
  });

  it('a scenario naming a missing function, and a handleSummary that is no function, are errors', async () => {
    const r = await run('bad-exports.js');
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /options\.scenarios\.main\.exec \(line 8\): no exported function "nope" \(the script exports: browse, handleSummary, options\)/,
    );
    assert.match(r.stderr, /handleSummary: expected an exported function/);
  });

  it("code of the script's local modules that cannot be rewritten is an error naming the module and line", async () => {
    const r = await run('bad-lib.js');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /fixtures\/lib\/getter\.js:4: a getter makes blocking calls/);
  });

  it('a blocking call where JavaScript needs an answer at once is an error at its line', async () => {
    const r = await run('sync-only.js');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /line 5: a callback given to sort\(\) makes blocking calls/);
  });
});
