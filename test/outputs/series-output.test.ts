/**
 * `--out json=FILE` and `--out csv=FILE`: one line per second per series, merged over worker
 * threads, adding up to what results.json says; the NDJSON lines match their schema.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const schema = JSON.parse(
  readFileSync(new URL('../../schema/series-line.schema.json', import.meta.url), 'utf8'),
);
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

describe('--out json= and csv=', () => {
  it('streams one line per second per series, over two workers, adding up to results.json', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      `export default { target: '${server.url}', scenarios: { api: { executor: 'constant-arrival-rate', rate: 60, duration: '3s', maxVUs: 20,
        flow: async (vu) => { const r = await vu.http.get('/hello'); vu.check('is 200', r.status === 200); await vu.http.get('/status/404', { name: '/status/:code' }); } } } };`,
    );
    const out = join(dir, 'out');
    const json = join(dir, 'series.ndjson');
    const csv = join(dir, 'series.csv');
    const r = await runCli(
      ['run', file, '--out', out, '--out', `json=${json}`, '--out', `csv=${csv}`, '--workers', '2'],
      {
        cwd: dir,
      },
    );
    assert.equal(r.code, 3, r.stderr); // every /status/404 fails the default threshold
    const results = readResults(out);
    const lines = readFileSync(json, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const l of lines) assert.ok(validate(l), JSON.stringify(validate.errors));
    const seen = new Set<string>();
    for (const l of lines) {
      const id = `${l.second} ${l.metric} ${JSON.stringify(l.tags)}`;
      assert.ok(!seen.has(id), `one line per second per series: ${id} twice`);
      seen.add(id);
    }
    const seconds = lines.map((l) => l.second);
    assert.deepEqual(
      seconds,
      [...seconds].sort((a, b) => a - b),
      'seconds in order',
    );
    const sum = (
      level: string,
      metric: string,
      pick: (l: { value?: number; count?: number }) => number | undefined,
    ) =>
      lines.filter((l) => l.level === level && l.metric === metric).reduce((a, l) => a + (pick(l) ?? 0), 0);
    for (const level of ['run', 'scenario', 'endpoint'])
      assert.equal(
        sum(level, 'http_reqs', (l) => l.value),
        results.requests.total,
        `http_reqs at the ${level} level`,
      );
    assert.equal(results.requests.total, 360);
    assert.equal(
      sum('endpoint', 'http_req_duration', (l) => l.count),
      360,
    );
    const notFound = lines.filter(
      (l) => l.level === 'endpoint' && l.metric === 'http_reqs' && l.tags.status === '404',
    );
    assert.ok(notFound.every((l) => l.tags.name === '/status/:code'));
    const checks = lines.filter((l) => l.level === 'check' && l.metric === 'checks');
    assert.equal(
      checks.reduce((a, l) => a + l.passes, 0),
      180,
    );
    assert.ok(checks.every((l) => l.tags.check === 'is 200'));

    const rows = readFileSync(csv, 'utf8').trimEnd().split('\n');
    assert.equal(
      rows[0],
      'time,second,metric,type,level,scenario,method,name,status,check,value,passes,fails,rate,count,min,avg,p50,p90,p95,p99,max',
    );
    assert.equal(rows.length - 1, lines.length, 'the same lines as CSV');
    const endpoint404 = rows.filter((row) =>
      row.includes(',http_reqs,counter,endpoint,api,GET,/status/:code,404,'),
    );
    assert.equal(
      endpoint404.reduce((a, row) => a + Number(row.split(',')[10]), 0),
      180,
    );
  });

  it('an unknown kind is an error listing the kinds, before any load', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      `export default { target: '${server.url}', scenarios: { a: { executor: 'shared-iterations', vus: 1, iterations: 1, flow: async (vu) => { await vu.http.get('/never'); } } } };`,
    );
    server.counts.clear();
    const r = await runCli(['run', file, '--out', 'statsd=127.0.0.1:8125'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--out statsd=127\.0\.0\.1:8125: unknown output "statsd" \(kinds: json, csv, /);
    assert.equal(server.counts.get('/never'), undefined);
  });
});
