import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runPlan } from '../../src/engine/run.ts';
import { initHistograms, newHistogram, recordMs } from '../../src/metrics/histogram.ts';
import { countAtOrBelow, parseListen } from '../../src/outputs/prometheus.ts';
import { definePlan } from '../../src/plan/load.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  await initHistograms();
  server = await startTestServer();
});
after(() => server.close());

describe('prometheus', () => {
  it('cumulative bucket counts from an HDR histogram', () => {
    const h = newHistogram();
    for (let i = 1; i <= 1000; i++) recordMs(h, i); // 1 .. 1000 ms
    assert.equal(countAtOrBelow(h, 100_000), 100);
    assert.equal(countAtOrBelow(h, 500), 0);
    assert.equal(countAtOrBelow(h, 2_000_000), 1000);
    const mid = countAtOrBelow(h, 250_000);
    assert.ok(Math.abs(mid - 250) <= 1, String(mid));
    h.destroy();
  });

  it('serves live counters and histogram buckets while the run goes on', async () => {
    let url = '';
    const plan = validatePlan(
      definePlan({
        target: server.url,
        scenarios: {
          s: {
            executor: 'constant-arrival-rate',
            rate: 100,
            duration: '3s',
            maxVUs: 10,
            flow: async (vu) => void (await vu.http.get('/delay/20')),
          },
        },
      }),
    );
    let scraped = '';
    const run = runPlan({
      plan,
      workers: 1,
      prometheus: '127.0.0.1:0',
      onMetricsServer: (u) => {
        url = u;
      },
    });
    await new Promise((r) => setTimeout(r, 2200));
    scraped = await (await fetch(url)).text();
    const results = await run;
    const requests = Number(/^loadproof_http_reqs_total\{status="200"\} (\d+)$/m.exec(scraped)?.[1]);
    assert.ok(
      requests >= 100 && requests < results.requests.total,
      `scraped ${requests} mid-run of ${results.requests.total}`,
    );
    const buckets = [
      ...scraped.matchAll(/^loadproof_http_req_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm),
    ].map((m) => [m[1], Number(m[2])] as const);
    assert.ok(buckets.length > 10);
    for (let i = 1; i < buckets.length; i++)
      assert.ok((buckets[i]?.[1] ?? 0) >= (buckets[i - 1]?.[1] ?? 0), 'cumulative');
    const count = Number(/^loadproof_http_req_duration_seconds_count (\d+)$/m.exec(scraped)?.[1]);
    assert.equal(buckets.at(-1)?.[1], count);
    // Every request takes at least 20 ms: none in the buckets up to 10 ms, all by 250 ms.
    assert.equal(buckets.find(([le]) => le === '0.01')?.[1], 0);
    assert.equal(buckets.find(([le]) => le === '0.25')?.[1], count);
    assert.match(scraped, /^loadproof_http_reqs_total\{scenario="s",status="200"\} \d+$/m);
    assert.doesNotMatch(scraped, /quantile|p95/, 'no percentiles as gauges');
    await assert.rejects(fetch(url), 'the server stops with the run');
  });

  it('HOST:PORT is checked', () => {
    assert.deepEqual(parseListen('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464 });
    assert.deepEqual(parseListen('[::1]:9464'), { host: '::1', port: 9464 });
    assert.throws(() => parseListen('9464'), /expected HOST:PORT/);
  });
});
