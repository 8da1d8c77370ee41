/**
 * runPlan in process against a loopback server: setup, data, vars, custom metrics, checks,
 * abortOnFail, teardown.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { definePlan } from '../../src/plan/load.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { runPlan } from '../../src/run/run.ts';
import { outsideDir } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

describe('runPlan', () => {
  it('setup reaches every VU, data files are shared, vars persist per VU, custom metrics feed thresholds and checks', async () => {
    const dir = outsideDir();
    writeFileSync(join(dir, 'users.csv'), 'name,role\n"Ann, PT",therapist\nBo,admin\n');
    const seen: string[] = [];
    let tornDown: unknown;
    const plan = validatePlan(
      definePlan<{ token: string }>({
        target: server.url,
        data: { users: { file: 'users.csv' }, ids: [1, 2, 3] },
        metrics: { echoes: 'counter', echo_ms: 'trend' },
        setup: async () => ({ token: 'setup-token' }),
        teardown: async (s: unknown) => {
          tornDown = s;
        },
        scenarios: {
          s: {
            executor: 'per-vu-iterations',
            vus: 2,
            iterations: 3,
            flow: async (vu) => {
              const users = vu.data.users as { name: string; role: string }[];
              const user = users[vu.iteration % users.length] as { name: string };
              vu.vars.count = ((vu.vars.count as number) ?? 0) + 1;
              const res = await vu.http.post('/echo', {
                json: { user: user.name, n: vu.vars.count },
                headers: { authorization: `Bearer ${vu.setup.token}` },
                query: { vu: vu.id },
              });
              seen.push(`${res.body.headers.authorization}|${res.body.body}`);
              vu.metrics.counter('echoes');
              vu.metrics.trend('echo_ms', res.latencyMs);
              vu.check('echo is 200', res, (r) => r.status === 200);
            },
          },
        },
        thresholds: { echoes: ['count==6'], echo_ms: ['p(99)<1000'], checks: ['rate==1'] },
        checks: {
          counters_seen: {
            run: (ctx) => (ctx.counter('echoes') === 6 ? undefined : `saw ${ctx.counter('echoes')}`),
          },
        },
      }),
    );
    const r = await runPlan({ plan, baseDir: dir, workers: 1 });
    assert.equal(r.verdict.status, 'GO', r.verdict.reasons.join('; '));
    assert.equal(seen.length, 6);
    assert.ok(seen.every((s) => s.startsWith('Bearer setup-token|')));
    assert.ok(
      seen.some((s) => s.includes('"user":"Ann, PT"')),
      'the quoted CSV field was read whole',
    );
    // Each VU counted its own iterations in vars: 1, 2, 3 twice.
    assert.deepEqual(seen.map((s) => JSON.parse(s.split('|')[1] as string).n).sort(), [1, 1, 2, 2, 3, 3]);
    assert.deepEqual(tornDown, { token: 'setup-token' });
    assert.equal(r.checks[0]?.ok, true);
    assert.deepEqual(r.flowChecks, { 'echo is 200': { passes: 6, fails: 0 } });
    assert.equal(r.metrics.echoes?.type === 'counter' && r.metrics.echoes.count, 6);
  });

  it('abortOnFail stops the run early and marks it interrupted', async () => {
    const plan = validatePlan(
      definePlan({
        target: server.url,
        scenarios: {
          s: {
            executor: 'constant-arrival-rate',
            rate: 50,
            duration: '30s',
            maxVUs: 5,
            flow: async (vu) => void (await vu.http.get('/status/500')),
          },
        },
        thresholds: { http_req_failed: [{ threshold: 'rate<0.5', abortOnFail: true }] },
      }),
    );
    const t0 = Date.now();
    const r = await runPlan({ plan, workers: 1 });
    assert.ok(Date.now() - t0 < 5000, 'aborted within seconds, not after 30 s');
    assert.equal(r.interrupted, true);
    assert.equal(r.verdict.status, 'NO-GO');
    assert.equal(r.thresholds[0]?.aborted, true);
    assert.match(r.interruptReason ?? '', /http_req_failed rate<0.5/);
  });

  it('an abort by a threshold with a critical level names that level', async () => {
    const plan = validatePlan(
      definePlan({
        target: server.url,
        scenarios: {
          s: {
            executor: 'constant-arrival-rate',
            rate: 50,
            duration: '30s',
            maxVUs: 5,
            flow: async (vu) => void (await vu.http.get('/status/500')),
          },
        },
        thresholds: {
          http_req_failed: [{ threshold: 'rate<0.1', critical: 'rate<0.5', abortOnFail: true }],
        },
      }),
    );
    const r = await runPlan({ plan, workers: 1 });
    assert.equal(r.interruptReason, 'threshold http_req_failed rate<0.1 failed its critical level rate<0.5');
  });

  it('a setup that throws is invalid input (exit 2) and sends no load', async () => {
    server.counts.clear();
    const plan = validatePlan(
      definePlan({
        target: server.url,
        setup: () => {
          throw new Error('token endpoint refused');
        },
        scenarios: {
          s: {
            executor: 'shared-iterations',
            vus: 1,
            iterations: 1,
            flow: async (vu) => void (await vu.http.get('/hello')),
          },
        },
      }),
    );
    await assert.rejects(runPlan({ plan, workers: 1 }), (e: Error & { exitCode?: number }) => {
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /setup\(\) failed: token endpoint refused/);
      return true;
    });
    assert.equal(server.total(), 0);
  });

  it('an exception in a flow is counted, not fatal', async () => {
    const logs: string[] = [];
    const plan = validatePlan(
      definePlan({
        target: server.url,
        scenarios: {
          s: {
            executor: 'shared-iterations',
            vus: 2,
            iterations: 10,
            flow: async (vu) => {
              const res = await vu.http.get('/hello');
              vu.check('a predicate alone: is 200', () => res.status === 200);
              vu.check('a predicate alone: is 404', () => res.status === 404);
              vu.check('a predicate that throws', () => {
                throw new Error('no');
              });
              vu.check('a value', res.body.hello);
              if (vu.scenarioIteration % 2 === 0) throw new TypeError('boom');
            },
          },
        },
      }),
    );
    const r = await runPlan({ plan, workers: 1, onLog: (m) => logs.push(m) });
    assert.equal(r.iterations, 10);
    assert.equal(r.metrics.iteration_errors?.type === 'counter' && r.metrics.iteration_errors.count, 5);
    assert.deepEqual(
      logs,
      ['scenario s: iteration failed: TypeError: boom'],
      'each distinct error is logged once',
    );
    assert.deepEqual(r.flowChecks, {
      'a predicate alone: is 200': { passes: 10, fails: 0 },
      'a predicate alone: is 404': { passes: 0, fails: 10 },
      'a predicate that throws': { passes: 0, fails: 10 },
      'a value': { passes: 10, fails: 0 },
    });
  });

  it('ramping-vus on the real clock ends on time with every VU stopped', async () => {
    const plan = validatePlan(
      definePlan({
        target: server.url,
        scenarios: {
          r: {
            executor: 'ramping-vus',
            startVUs: 5,
            stages: [
              { duration: '1s', target: 60 },
              { duration: '1s', target: 0 },
            ],
            flow: async (vu) => {
              await vu.http.get('/hello');
              await vu.sleep(0.02);
            },
          },
        },
      }),
    );
    const t0 = Date.now();
    const r = await runPlan({ plan, workers: 1 });
    assert.ok(Date.now() - t0 < 6000, `took ${Date.now() - t0} ms`);
    assert.ok(r.requests.total > 100);
    assert.equal(r.interrupted, false);
  });
});
