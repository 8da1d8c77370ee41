/**
 * A verdict counts every request it sent: requests left unanswered are counted as failed, and a plan
 * without thresholds gets the default ones. Each runs the real CLI against a loopback server.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outsideDir, readResults, runCli, writePlan } from '../../helpers/cli.ts';
import { assertMatchesSchema } from '../../helpers/schema.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { plan } from './plan.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

describe('every request sent is counted', () => {
  let halfMute: Server;
  let url: string;
  let received = 0;
  let unanswered = 0;
  before(async () => {
    // Answers every second request it receives; the others never get a byte back.
    halfMute = createServer((_req, res) => {
      received++;
      if (received % 2 === 0) {
        unanswered++;
        return;
      }
      res.end('ok');
    });
    await new Promise<void>((r) => halfMute.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(halfMute.address() as AddressInfo).port}`;
  });
  after(() => {
    halfMute.closeAllConnections();
    return new Promise<void>((r) => halfMute.close(() => r()));
  });

  it('requests left unanswered are ABORTED at the stop, counted as failed, and the default thresholds give NO-GO', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        url,
        `executor: 'constant-arrival-rate', rate: 20, duration: '2s', maxVUs: 60, gracefulStop: '1s',
        flow: async (vu) => { await vu.http.get('/'); }`,
      ),
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out, '--workers', '1'], { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    const res = readResults(out);
    assertMatchesSchema(res);
    assert.equal(res.requests.total, received, 'every request the server received is in the metrics');
    assert.equal(res.requests.errors.ABORTED, unanswered);
    assert.equal(res.requests.byStatus['200'], received - unanswered);
    assert.ok(unanswered >= 15, `half of 40 requests unanswered, got ${unanswered}`);
    assert.equal(res.verdict.status, 'NO-GO');
    const failed = res.thresholds.find((t) => t.metric === 'http_req_failed');
    assert.equal(failed?.isDefault, true);
    assert.equal(failed?.level, 'FAIL');
    assert.match(r.stdout, /requests? cut off unanswered when the run stopped \(ABORTED/);
    assert.match(r.stdout, /default threshold http_req_failed rate<0\.01 failed/);
  });
});

describe('default thresholds', () => {
  it('a plan without thresholds whose flow checks and iterations fail is NO-GO, each reported', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `executor: 'shared-iterations', vus: 2, iterations: 20,
        flow: async (vu) => {
          const res = await vu.http.get('/hello');
          vu.check('odd iteration', () => vu.scenarioIteration % 2 === 1);
          if (vu.scenarioIteration % 4 === 0) throw new Error('flow broke');
          return res;
        }`,
      ),
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out, '--workers', '1'], { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    const res = readResults(out);
    const levels = Object.fromEntries(res.thresholds.map((t) => [t.metric, [t.level, t.isDefault]]));
    assert.deepEqual(levels, {
      http_req_failed: ['PASS', true],
      checks: ['FAIL', true],
      iteration_failed: ['FAIL', true],
    });
    assert.match(r.stdout, /5 iterations ended in an exception of the flow \(25\.00% of iterations\)/);
    assert.match(r.stdout, /loadproof's defaults/);
  });

  it('`thresholds: {}` says no thresholds on purpose: GO however the requests went', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `executor: 'shared-iterations', vus: 1, iterations: 5, flow: async (vu) => { await vu.http.get('/status/500'); }`,
        'thresholds: {},',
      ),
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readResults(out).thresholds, []);
  });
});
