import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initHistograms, newHistogram, recordMs } from '../../src/metrics/histogram.ts';
import { MetricStore } from '../../src/metrics/store.ts';
import { countAtOrBelow, parseListen, renderPrometheus } from '../../src/outputs/prometheus.ts';
import { PrometheusOutput } from '../../src/outputs/prometheus-output.ts';
import { definePlan } from '../../src/plan/load.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { runPlan } from '../../src/run/run.ts';
import { hasResults, outsideDir, runCli, writePlan } from '../helpers/cli.ts';
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

  it("a shard's series carry its run_id and shard, so a dashboard can sum the shards of one run", () => {
    const store = new MetricStore();
    store.addCounter('iterations', ['', 'scenario=s'], 3);
    store.addTrend('http_req_duration', ['', 'scenario=s'], 12);
    const text = renderPrometheus(store, { run_id: 'r1', shard: '1/4:1/2' });
    const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
    assert.ok(samples.length > 5);
    for (const line of samples) assert.match(line, /\{run_id="r1",shard="1\/4:1\/2"[,}]/, line);
    assert.match(
      text,
      /loadproof_http_req_duration_seconds_bucket\{run_id="r1",shard="1\/4:1\/2",scenario="s",le="\+Inf"\} 1/,
    );
    assert.doesNotMatch(renderPrometheus(store), /run_id/);
    store.destroy();
  });

  it('serves live counters and histogram buckets while the run goes on, each sample in one series only', async () => {
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
            flow: async (vu) => {
              const r = await vu.http.get('/delay/20', { name: '/delay/:ms' });
              vu.check('answered', r.status === 200);
            },
          },
        },
      }),
    );
    let scraped = '';
    const metrics = new PrometheusOutput({ argument: '127.0.0.1:0' });
    const run = runPlan({ plan, workers: 1, outputs: [metrics] });
    await new Promise((r) => setTimeout(r, 2200));
    url = metrics.url ?? '';
    scraped = await (await fetch(url)).text();
    const results = await run;
    const endpoint = 'scenario="s",method="GET",name="/delay/:ms"';
    const requests = sumOf(scraped, 'loadproof_http_reqs_total');
    assert.ok(
      requests >= 100 && requests < results.requests.total,
      `scraped ${requests} mid-run of ${results.requests.total}`,
    );
    assert.equal(requests, seriesValue(scraped, `loadproof_http_reqs_total{${endpoint},status="200"}`));
    assert.doesNotMatch(
      scraped,
      /^loadproof_http_reqs_total(\{status|\{scenario="s",status| )/m,
      'no coarser series',
    );
    const buckets = [
      ...scraped.matchAll(/^loadproof_http_req_duration_seconds_bucket\{([^}]*),le="([^"]+)"\} (\d+)$/gm),
    ].map((m) => [m[1], m[2], Number(m[3])] as const);
    assert.ok(buckets.length > 10);
    assert.ok(
      buckets.every(([labels]) => labels === endpoint),
      'latency histograms per endpoint only',
    );
    for (let i = 1; i < buckets.length; i++)
      assert.ok((buckets[i]?.[2] ?? 0) >= (buckets[i - 1]?.[2] ?? 0), 'cumulative');
    const count = seriesValue(scraped, `loadproof_http_req_duration_seconds_count{${endpoint}}`);
    assert.equal(buckets.at(-1)?.[2], count);
    // Every request takes at least 20 ms: none in the buckets up to 10 ms, all by 250 ms.
    assert.equal(buckets.find(([, le]) => le === '0.01')?.[2], 0);
    assert.equal(buckets.find(([, le]) => le === '0.25')?.[2], count);
    assert.equal(seriesValue(scraped, `loadproof_http_req_failed_total{${endpoint},value="true"}`), 0);
    assert.equal(
      seriesValue(scraped, `loadproof_http_req_failed_total{${endpoint},value="false"}`),
      requests,
    );
    assert.ok(seriesValue(scraped, 'loadproof_checks_total{check="answered",value="true"}') >= 100);
    assert.match(scraped, /^loadproof_dropped_iterations_total\{scenario="s"\} \d+$/m);
    assert.doesNotMatch(scraped, /quantile|p95/, 'no percentiles as gauges');
    await assert.rejects(fetch(url), 'the server stops with the run');
  });

  it('loadproof run keeps /metrics up after the run for --prometheus-linger, with the final figures', async () => {
    const port = await freePort();
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      `export default { target: '${server.url}', thresholds: {}, scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 40,
        flow: async (vu) => { await vu.http.get('/hello'); } } } };`,
    );
    const out = join(dir, 'out');
    const started = Date.now();
    const cli = runCli(
      ['run', file, '--out', out, '--prometheus', `127.0.0.1:${port}`, '--prometheus-linger', '3s'],
      {
        cwd: dir,
      },
    );
    while (!hasResults(out) && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 50));
    const scraped = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const r = await cli;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sumOf(scraped, 'loadproof_http_reqs_total'), 40, 'the final figures, after the run');
    assert.match(r.stderr, /live metrics stay up for 3 s/);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'closed after the linger');
    assert.equal(
      (await runCli(['run', file, '--prometheus', '127.0.0.1:0', '--prometheus-linger', 'soon'])).code,
      2,
    );
  });

  it('HOST:PORT is checked', () => {
    assert.deepEqual(parseListen('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464 });
    assert.deepEqual(parseListen('[::1]:9464'), { host: '::1', port: 9464 });
    assert.throws(() => parseListen('9464'), /expected HOST:PORT/);
  });
});

/** The value of one exact series line. */
function seriesValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  assert.ok(line, `no series ${series}`);
  return Number(line.slice(series.length + 1));
}

/** What `sum(metric)` gives in Prometheus: every series of the metric added up. */
function sumOf(text: string, metric: string): number {
  let total = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
      total += Number(line.split(' ').at(-1));
  return total;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
