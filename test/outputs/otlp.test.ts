/**
 * `--otlp URL`: OTLP/HTTP JSON pushed to a collector on the loopback while the run goes on and at
 * its end; the last push adds up to results.json, and latencies are exponential histograms whose
 * buckets hold every request.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bucketIndex, exponentialBuckets } from '../../src/outputs/otlp-payload.ts';
import { outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

type Json = any;

describe('exponential buckets', () => {
  it('every value lands in the bucket (base^i, base^(i+1)] and the scale keeps 160 buckets at most', () => {
    const values = [0.5, 1, 2, 3.7, 250, 1000].map((ms) => ({ ms, count: 2 }));
    const b = exponentialBuckets(values);
    assert.ok(b.bucketCounts.length <= 160);
    assert.equal(
      b.bucketCounts.reduce((a, n) => a + n, 0),
      12,
    );
    const base = 2 ** (2 ** -b.scale);
    for (const { ms } of values) {
      const i = bucketIndex(ms, b.scale);
      assert.ok(base ** i < ms * (1 + 1e-12) && ms <= base ** (i + 1) * (1 + 1e-12), `${ms} in bucket ${i}`);
      assert.ok((b.bucketCounts[i - b.offset] ?? 0) >= 2);
    }
    const narrow = exponentialBuckets([
      { ms: 10, count: 1 },
      { ms: 11, count: 1 },
    ]);
    assert.equal(narrow.scale, 8, 'the finest scale when the range allows it');
  });
});

describe('--otlp', () => {
  let collector: Server;
  let url = '';
  const bodies: Json[] = [];
  before(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/metrics' && req.headers['content-type'] === 'application/json')
          bodies.push(JSON.parse(Buffer.concat(chunks).toString()));
        res.end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => collector.close(() => r())));

  it('pushes during the run and at its end; the last push adds up to results.json', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      `export default { name: 'otlp plan', target: '${server.url}', scenarios: { api: { executor: 'constant-arrival-rate', rate: 50, duration: '3s', maxVUs: 20,
        flow: async (vu) => { await vu.http.get('/delay/5', { name: '/delay/:ms' }); } } } };`,
    );
    const out = join(dir, 'out');
    const r = await runCli(
      ['run', file, '--out', out, '--otlp', url, '--otlp-interval', '1s', '--workers', '2'],
      {
        cwd: dir,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const results = readResults(out);
    assert.ok(bodies.length >= 3, `pushed ${bodies.length} times`);
    const last = bodies.at(-1);
    const resource = last.resourceMetrics[0].resource.attributes;
    assert.deepEqual(
      resource.find((a: Json) => a.key === 'loadproof.plan'),
      { key: 'loadproof.plan', value: { stringValue: 'otlp plan' } },
    );
    const metrics: Json[] = last.resourceMetrics[0].scopeMetrics[0].metrics;
    const reqs = metrics.find((m) => m.name === 'http_reqs');
    assert.equal(reqs.sum.aggregationTemporality, 2);
    assert.equal(
      reqs.sum.dataPoints.reduce((a: number, p: Json) => a + Number(p.asInt), 0),
      results.requests.total,
    );
    const attrs = Object.fromEntries(
      reqs.sum.dataPoints[0].attributes.map((a: Json) => [a.key, a.value.stringValue]),
    );
    assert.deepEqual(attrs, { scenario: 'api', method: 'GET', name: '/delay/:ms', status: '200' });
    const duration = metrics.find((m) => m.name === 'http_req_duration');
    assert.equal(duration.unit, 'ms');
    const point = duration.exponentialHistogram.dataPoints[0];
    assert.equal(Number(point.count), 150);
    assert.equal(
      point.positive.bucketCounts.reduce((a: number, n: string) => a + Number(n), 0),
      150,
    );
    // The bucket holding the median bounds results.json's p50.
    const base = 2 ** (2 ** -point.scale);
    let seen = 0;
    let medianBucket = 0;
    point.positive.bucketCounts.forEach((n: string, i: number) => {
      if (seen < 75 && seen + Number(n) >= 75) medianBucket = point.positive.offset + i;
      seen += Number(n);
    });
    const d = results.metrics.http_req_duration;
    assert.ok(d?.type === 'trend');
    assert.ok(
      base ** medianBucket <= d.p50 * 1.002 && d.p50 <= base ** (medianBucket + 1) * 1.002,
      `p50 ${d.p50} in (${base ** medianBucket}, ${base ** (medianBucket + 1)}]`,
    );
  });

  it('a collector that cannot be reached is logged once and the run goes on', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      `export default { target: '${server.url}', scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 5, flow: async (vu) => { await vu.http.get('/hello'); } } } };`,
    );
    const r = await runCli(
      ['run', file, '--out', join(dir, 'out'), '--otlp', 'http://127.0.0.1:9/', '--otlp-interval', '1s'],
      {
        cwd: dir,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.match(/otlp: cannot push to http:\/\/127\.0\.0\.1:9\/v1\/metrics/g)?.length, 1);
    assert.equal((await runCli(['run', file, '--otlp', 'ftp://x'])).code, 2);
  });
});
