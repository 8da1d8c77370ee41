/**
 * `--out influxdb=URL`: each second's series written in InfluxDB's line protocol to a server on
 * the loopback that reads the v1 write API's requests and parses every line back: the points add
 * up to results.json, names and tags come back as they were sent (escaping undone), credentials
 * travel as Basic authorization and never in a point, and a server that fails is logged once
 * without touching the verdict.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initHistograms } from '../../src/metrics/histogram.ts';
import { influxLine } from '../../src/outputs/influxdb.ts';
import { createOutputs } from '../../src/outputs/output-registry.ts';
import type { SeriesLine } from '../../src/outputs/series-lines.ts';
import { definePlan } from '../../src/plan/load.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { runPlan } from '../../src/run/run.ts';
import { outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

interface Point {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, string>;
  time: number;
}

/** Splits at `sep` where it is not escaped; `\X` stands for X. */
function splitUnescaped(text: string, sep: string, limit = Number.POSITIVE_INFINITY): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[i + 1];
      i++;
    } else if (c === sep && parts.length < limit - 1) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}
const unescaped = (s: string) => s.replace(/\\(.)/g, '$1');

/** One line of the line protocol, parsed as InfluxDB reads it. */
function parsePoint(line: string): Point {
  const [series, fieldText, time, ...rest] = splitUnescaped(line, ' ');
  assert.equal(rest.length, 0, `three parts: ${line}`);
  const [measurement, ...tagPairs] = splitUnescaped(series as string, ',');
  const pair = (p: string) => {
    const [k, v] = splitUnescaped(p, '=', 2);
    assert.ok(k && v !== undefined && v !== '', `key=value: ${p} in ${line}`);
    return [unescaped(k), unescaped(v)] as const;
  };
  return {
    measurement: unescaped(measurement as string),
    tags: Object.fromEntries(tagPairs.map(pair)),
    fields: Object.fromEntries(splitUnescaped(fieldText as string, ',').map(pair)),
    time: Number(time),
  };
}

interface Write {
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback server that takes v1 writes (204) and keeps each one. */
async function startReceiver(
  status = 204,
): Promise<{ url: string; writes: Write[]; close(): Promise<void> }> {
  const writes: Write[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      writes.push({
        url: new URL(req.url ?? '/', 'http://x'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      res.statusCode = status;
      res.end(status === 204 ? '' : '{"error":"database not found"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    writes,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const pointsOf = (writes: readonly Write[]) =>
  writes.flatMap((w) => w.body.split('\n').filter((l) => l !== '')).map(parsePoint);

let target: TestServer;
before(async () => {
  await initHistograms();
  target = await startTestServer();
});
after(() => target.close());

describe('influxdb line protocol', () => {
  it('escapes measurement, tag keys and tag values so that they parse back as they were', () => {
    const line: SeriesLine = {
      time: '2026-01-01T00:00:01.000Z',
      second: 2,
      metric: 'my metric,1',
      type: 'counter',
      level: 'endpoint',
      tags: { scenario: 'a b', name: 'x=1,y=2 z\\', 'odd key': 'v', check: 'two\nlines', empty: '' },
      value: 7,
    };
    const text = influxLine(line, { run_id: 'r 1' });
    assert.equal(text.split('\n').length, 1, 'one line');
    const p = parsePoint(text);
    assert.equal(p.measurement, 'my metric,1');
    assert.deepEqual(p.tags, {
      check: 'two lines',
      level: 'endpoint',
      name: 'x=1,y=2 z\\',
      'odd key': 'v',
      run_id: 'r 1',
      scenario: 'a b',
    });
    assert.deepEqual(Object.keys(p.tags), Object.keys(p.tags).sort(), 'tags sorted by key');
    assert.deepEqual(p.fields, { value: '7i' });
    assert.equal(p.time, Date.parse('2026-01-01T00:00:01.000Z'));
  });

  it('counts are integer fields, times float fields', () => {
    const trend = parsePoint(
      influxLine(
        {
          time: '2026-01-01T00:00:00.000Z',
          second: 1,
          metric: 'http_req_duration',
          type: 'trend',
          level: 'run',
          tags: {},
          count: 3,
          min: 1.5,
          avg: 2.25,
          p50: 2,
          p90: 3,
          p95: 3,
          p99: 3,
          max: 3.25,
        },
        {},
      ),
    );
    assert.deepEqual(trend.fields, {
      count: '3i',
      min: '1.5',
      avg: '2.25',
      p50: '2',
      p90: '3',
      p95: '3',
      p99: '3',
      max: '3.25',
    });
    const rate = parsePoint(
      influxLine(
        {
          time: '2026-01-01T00:00:00.000Z',
          second: 1,
          metric: 'checks',
          type: 'rate',
          level: 'check',
          tags: { check: 'ok' },
          passes: 4,
          fails: 1,
          rate: 0.8,
        },
        {},
      ),
    );
    assert.deepEqual(rate.fields, { passes: '4i', fails: '1i', rate: '0.8' });
  });

  it('a URL without a database, with another precision or not http(s) is refused, naming --out', async () => {
    const refused = async (argument: string, message: RegExp) =>
      assert.rejects(createOutputs([{ kind: 'influxdb', argument }]), message);
    await refused(
      'http://127.0.0.1:8086/write',
      /--out influxdb=.*: the URL names no database \(\?db=NAME\)/,
    );
    await refused('http://127.0.0.1:8086/write?db=x&precision=s', /precision=ms/);
    await refused('udp://127.0.0.1:8089?db=x', /expected an http\(s\) URL/);
    await refused('http://u:hunter2@[bad', /^(?!.*hunter2)/s);
  });
});

describe('--out influxdb=', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  it('writes every second as it closes: the points add up to results.json, names and tags intact', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      `export default { name: 'influx plan', target: '${target.url}', scenarios: { 'api.calls': { executor: 'constant-arrival-rate', rate: 20, duration: '3s', maxVUs: 10,
        flow: async (vu) => {
          const r = await vu.http.get('/hello', { name: 'hello, a=b c' });
          vu.check('status is 200, ok', r.status === 200);
          await vu.http.get('/status/404?token=abc123', { name: '/status/404?token=abc123', expect: [404] });
        } } } };`,
    );
    const out = join(dir, 'out');
    const url = `${receiver.url.replace('//', '//loadproof:s3cret-pw@')}/write?db=load%20tests`;
    const r = await runCli(['run', file, '--out', out, '--out', `influxdb=${url}`, '--workers', '2'], {
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    const results = readResults(out);
    assert.equal(results.requests.total, 120);
    assert.ok(receiver.writes.length >= 1);
    for (const w of receiver.writes) {
      assert.equal(w.url.pathname, '/write');
      assert.equal(w.url.searchParams.get('db'), 'load tests');
      assert.equal(w.url.searchParams.get('precision'), 'ms');
      assert.equal(w.headers.authorization, `Basic ${Buffer.from('loadproof:s3cret-pw').toString('base64')}`);
      assert.doesNotMatch(w.body, /s3cret-pw|abc123/, 'no secret in a point');
    }
    const points = pointsOf(receiver.writes);
    const run = points.filter((p) => p.measurement === 'http_reqs' && p.tags.level === 'run');
    assert.equal(
      run.reduce((a, p) => a + Number.parseInt(p.fields.value as string, 10), 0),
      120,
      'requests of the run, added up over the seconds',
    );
    assert.ok(new Set(run.map((p) => p.time)).size >= 3, 'a point per second of a 3 s run');
    for (const p of run) assert.equal((p.time - (run[0] as Point).time) % 1000, 0, 'on the second');
    const hello = points.filter(
      (p) => p.measurement === 'http_reqs' && p.tags.level === 'endpoint' && p.tags.name === 'hello, a=b c',
    );
    assert.equal(
      hello.reduce((a, p) => a + Number.parseInt(p.fields.value as string, 10), 0),
      60,
    );
    assert.deepEqual(Object.keys(hello[0]?.tags ?? {}), ['level', 'method', 'name', 'scenario', 'status']);
    assert.equal(hello[0]?.tags.scenario, 'api.calls');
    const redacted = points.filter((p) => p.tags.name?.startsWith('/status/404?token='));
    assert.ok(redacted.length > 0);
    for (const p of redacted) assert.equal(p.tags.name, '/status/404?token=[redacted]');
    const checks = points.filter((p) => p.measurement === 'checks' && p.tags.check === 'status is 200, ok');
    assert.equal(
      checks.reduce((a, p) => a + Number.parseInt(p.fields.passes as string, 10), 0),
      60,
    );
    const measurements = new Set(points.map((p) => p.measurement));
    for (const m of ['http_reqs', 'http_req_duration', 'http_req_failed', 'iterations', 'checks'])
      assert.ok(measurements.has(m), `measurement ${m} in ${[...measurements].join(', ')}`);
    const durations = points.filter((p) => p.measurement === 'http_req_duration' && p.tags.level === 'run');
    assert.equal(
      durations.reduce((a, p) => a + Number.parseInt(p.fields.count as string, 10), 0),
      120,
    );
    assert.doesNotMatch(r.stderr, /s3cret-pw/);
  });
});

describe('an InfluxDB that refuses the writes', () => {
  it('is logged once, without the password, and the run is judged as without it', async () => {
    const refusing = await startReceiver(404);
    try {
      const plan = validatePlan(
        definePlan({
          target: target.url,
          scenarios: {
            s: {
              executor: 'constant-arrival-rate',
              rate: 10,
              duration: '2s',
              maxVUs: 5,
              flow: async (vu) => {
                await vu.http.get('/hello');
              },
            },
          },
        }),
      );
      const outputs = await createOutputs([
        { kind: 'influxdb', argument: `${refusing.url}/write?db=nope&u=loadproof&p=s3cret-pw` },
      ]);
      const logs: string[] = [];
      const results = await runPlan({ plan, workers: 1, outputs, onLog: (m) => logs.push(m) });
      assert.equal(results.verdict.status, 'GO');
      assert.equal(results.requests.total, 20);
      assert.ok(refusing.writes.length >= 2, `${refusing.writes.length} writes tried`);
      const said = logs.filter((m) => m.startsWith('influxdb:'));
      assert.equal(said.length, 1, said.join('\n'));
      assert.match(
        said[0] as string,
        /cannot write to http:\/\/127\.0\.0\.1:\d+\/write\?db=nope.*: HTTP 404/,
      );
      assert.doesNotMatch(said.join('\n'), /s3cret-pw/);
      assert.equal(refusing.writes[0]?.url.searchParams.get('p'), 's3cret-pw', 'the password is sent');
    } finally {
      await refusing.close();
    }
  });
});
