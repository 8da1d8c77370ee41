/**
 * `loadproof run script.yml` on the Artillery fixtures (written from Artillery's documented
 * format), against a loopback server that records every request: each test checks what the
 * script must have sent.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { readResults, runCli } from '../../helpers/cli.ts';
import { assertMatchesSchema } from '../../helpers/schema.ts';
import { type RecordingServer, startRecordingServer } from './server.ts';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());
beforeEach(() => server.reset());

async function run(script: string, args: string[] = []) {
  const out = mkdtempSync(join(tmpdir(), 'loadproof-artillery-'));
  const file = script.startsWith('/') ? script : join(FIXTURES, script);
  const r = await runCli(['run', file, '--env', `TARGET=${server.url}`, '--out', out, ...args]);
  return { ...r, out, results: () => readResults(out) };
}

const byPath = (s: RecordingServer, prefix: string) => s.requests.filter((r) => r.path.startsWith(prefix));

describe('loadproof run script.yml: flow steps', () => {
  it('sends every step as Artillery does: captures reach later requests, templates, bodies, loops, ifTrue, log', async () => {
    const r = await run('flow.yml', ['--env', 'FIXTURE_HOME=from-env']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(server.paths(), {
      'GET /ids': 10,
      'GET /text': 10,
      'POST /orders/abc-123': 10,
      'PUT /form': 10,
      'PATCH /patch': 10,
      'GET /users/0': 10,
      'GET /users/1': 10,
      'GET /users/2': 10,
      'DELETE /tags/alpha': 10,
      'DELETE /tags/beta': 10,
      'GET /users/open-11': 10,
      'GET /status/409': 10,
    });
    const uuids = new Set<string>();
    for (const o of byPath(server, '/orders/')) {
      assert.deepEqual(o.query, { request: 'req-9', open: '11' }, 'header and JSONPath-filter captures');
      assert.equal(o.headers['content-type'], 'application/json');
      const body = JSON.parse(o.body);
      assert.equal(body.order, 'ord-77', 'regexp capture, group 1');
      assert.equal(body.item, 11, 'a whole-value template keeps the number');
      assert.ok(['red', 'green'].includes(body.colour), 'a list variable gives one of its values');
      assert.match(body.vu, /^[0-9a-f-]{36}$/);
      uuids.add(body.vu);
      assert.match(body.nonce, /^n-[0-9a-z]{6}$/);
      assert.ok(Number(body.dice) >= 1 && Number(body.dice) <= 6);
      assert.equal(body.home, 'from-env', '$env sees --env');
    }
    assert.equal(uuids.size, 10, 'each arrival is a new virtual user with its own $uuid');
    for (const req of server.requests) {
      assert.equal(
        req.headers['x-suite'],
        'artillery-fixtures',
        `${req.method} ${req.path}: default headers`,
      );
      assert.equal(req.headers['x-user'], 'ada', 'default headers are templated');
    }
    const form = byPath(server, '/form')[0];
    assert.equal(form?.body, 'name=ada&id=abc-123');
    assert.equal(form?.headers['content-type'], 'application/x-www-form-urlencoded');
    const patch = byPath(server, '/patch')[0];
    assert.equal(patch?.body, 'raw abc-123');
    assert.equal(patch?.headers['content-type'], 'text/plain');
    assert.equal((r.stderr.match(/^user ada captured abc-123$/gm) ?? []).length, 10, 'log steps');

    const res = r.results();
    assertMatchesSchema(res);
    assert.equal(res.verdict.status, 'GO');
    assert.deepEqual(res.requests.byStatus, { '200': 110, '409': 10 });
    assert.equal(res.requests.failed, 0, 'the 409 is in the statusCode expectation: an expected outcome');
    assert.deepEqual(
      Object.entries(res.flowChecks).map(([k, v]) => [k, v.passes, v.fails]),
      [
        ['GET /ids: statusCode 200', 10, 0],
        ['GET /ids: contentType json', 10, 0],
        ['GET /ids: hasProperty items[1].status', 10, 0],
        ['GET /status/409: statusCode [200,409]', 10, 0],
      ],
    );
    const names = (Object.values(res.scenarios)[0]?.endpoints ?? []).map((e) => e.key);
    assert.ok(names.includes('POST /orders/{{ id }}'), `templated URLs are grouped: ${names.join(', ')}`);
  });

  it('weights are exact: 70/20/10 of 100 arrivals', async () => {
    const r = await run('weights.yml');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(server.paths(), { 'GET /browse': 70, 'GET /search': 20, 'POST /buy': 10 });
    assert.equal(r.results().iterations, 100);
  });

  it('CSV payloads: rows in sequence over both workers (header skipped), another payload at random', async () => {
    const r = await run('payload.yml');
    assert.equal(r.code, 0, r.stderr);
    const logins = server.requests.filter((q) => q.path.startsWith('/login-as/'));
    assert.equal(logins.length, 12);
    const users = logins.map((q) => q.path.slice('/login-as/'.length));
    assert.deepEqual([...users].sort(), [
      'alice',
      'alice',
      'alice',
      'bob',
      'bob',
      'bob',
      'carol',
      'carol',
      'carol',
      'dave',
      'dave',
      'dave',
    ]);
    assert.deepEqual(users.slice(0, 4), ['alice', 'bob', 'carol', 'dave'], 'arrivals take rows in order');
    const prices: Record<string, number> = { 'p-1': 10, 'p-2': 20, 'p-3': 30 };
    for (const q of logins) {
      const body = JSON.parse(q.body);
      assert.equal(body.password, `${q.path.slice('/login-as/'.length)[0]}-pass`, 'fields of one row');
      assert.equal(body.price, prices[body.product], 'columns of one row; numbers cast');
    }
  });
});

describe('loadproof run script.yml: phases', () => {
  it('a ramp, a pause and a constant rate, in sequence, with the arrivals each must start', async () => {
    const r = await run('ramp.yml');
    assert.equal(r.code, 0, r.stderr);
    const times = server.requests.map((q) => q.atMs);
    // The ramp's first arrival is due when its rate's integral (10t²/3) reaches 1: at √0.3 s.
    const t0 = Math.min(...times) - Math.sqrt(0.3) * 1000;
    const rel = times.map((t) => (t - t0) / 1000).sort((a, b) => a - b);
    assert.equal(rel.length, 40, '0→20/s over 3 s is 30 arrivals, then 10/s for 1 s');
    const ramp = rel.slice(0, 30);
    const steady = rel.slice(30);
    const firstHalf = ramp.filter((t) => t < 1.5).length;
    assert.ok(
      firstHalf >= 5 && firstHalf <= 10,
      `a linear ramp starts 7.5 of 30 in its first half; got ${firstHalf}`,
    );
    assert.ok((ramp.at(-1) ?? 0) < 3.1, `the ramp ends at 3 s: ${ramp.at(-1)}`);
    assert.ok((steady[0] ?? 0) >= 3.9, `the pause holds arrivals until 4 s: ${steady[0]}`);
    assert.ok((steady.at(-1) ?? 0) < 5.1, `the last phase ends at 5 s: ${steady.at(-1)}`);
    const res = r.results();
    assert.deepEqual(
      Object.values(res.scenarios).map((s) => [s.name, s.executor, s.iterations]),
      [
        ['ramp-up', 'ramping-arrival-rate', 30],
        ['steady', 'constant-arrival-rate', 10],
      ],
    );
  });

  it('maxVusers caps concurrent users; arrivals over the cap are dropped and counted', async () => {
    const r = await run('maxvusers.yml');
    assert.equal(r.code, 0, r.stderr);
    const res = r.results();
    assert.equal(res.iterations + res.droppedIterations, 40, '20/s for 2 s');
    assert.equal(server.count('GET', '/delay/400'), res.iterations);
    assert.ok(res.iterations <= 14, `2 users of 400 ms each serve about 10 in 2 s; served ${res.iterations}`);
    assert.ok(res.droppedIterations >= 26, `dropped ${res.droppedIterations}`);
    // Dropped on purpose: GO only because the script loosened that criterion, and says so.
    const dropped = res.validity?.find((c) => c.name === 'maxMissedArrivals');
    assert.deepEqual([dropped?.ok, dropped?.loosened], [true, true]);
    assert.match(r.stdout, /maxMissedArrivals \(loosened\)/);
  });
});

describe('loadproof run script.yml: processors', () => {
  it('a CommonJS processor: function steps, scenario and request hooks, whileTrue, ifTrue, custom metrics', async () => {
    const r = await run('processor.yml');
    assert.equal(r.code, 0, r.stderr);
    const paths = server.paths();
    assert.equal(paths['GET /token'], 8);
    for (const k of [0, 1, 2]) assert.equal(paths[`GET /while/${k}`], 8, 'whileTrue: $loopCount 0, 1, 2');
    assert.equal(paths['GET /while/3'], undefined);
    const signed = byPath(server, '/signed/');
    assert.equal(signed.length, 8);
    for (const q of signed) {
      const picked = q.path.slice('/signed/'.length);
      assert.match(picked, /^u-\d+$/, 'beforeScenario set the variable');
      assert.equal(q.headers['x-signed'], `sig-${picked}`, 'request beforeRequest changed the headers');
      const body = JSON.parse(q.body);
      assert.match(body.token, /^tok-\d+$/, 'afterResponse captured from the body text');
      assert.equal(body.async, 'yes', 'an async function step without a callback');
      assert.equal(body.file, 'hooks.js', 'CommonJS __filename in a "type": "module" package');
      assert.equal(
        body.signedUrl,
        `${server.url}/signed/${picked}`,
        'hooks see the URL; the body is templated after them',
      );
    }
    for (const q of server.requests)
      assert.equal(q.headers['x-scenario'], 'with-hooks', 'scenario beforeRequest');
    const even = byPath(server, '/even/');
    assert.ok(even.length > 0 && even.length < 8);
    for (const q of even) assert.equal(Number(q.path.split('-')[1]) % 2, 0, 'ifTrue as a processor function');

    const res = r.results();
    assert.equal(res.verdict.status, 'GO');
    assert.deepEqual(
      res.thresholds.map((t) => [t.metric, t.expression, t.level]),
      [
        ['token_length', 'max<100', 'PASS'],
        ['picked_users', 'count==8', 'PASS'],
        ['finished_users', 'count==8', 'PASS'],
      ],
    );
    const m = res.metrics;
    assert.equal(m.token_length?.type === 'trend' && m.token_length.count, 8, 'events.emit histogram');
    assert.equal(m['vusers.completed']?.type === 'counter' && m['vusers.completed'].count, 8);
  });

  it('an ES module processor', async () => {
    const r = await run('processor-esm.yml');
    assert.equal(r.code, 0, r.stderr);
    const esm = byPath(server, '/esm/esm-user/');
    assert.equal(esm.length, 4);
    for (const q of esm) assert.match(q.path, /^\/esm\/esm-user\/tok-\d+$/);
  });

  it('parallel, auth, probability, loop ranges, a default cookie, a TypeScript processor, onError', async () => {
    const r = await run('more-steps.yml');
    // Without ensure the script gets the default thresholds: 4 refused requests of 44 are over
    // 1%, and each of the 4 users failed on its refused request. Those 4 got no response: over
    // the 1% of run validity too.
    assert.equal(r.code, 3, r.stderr);
    assert.deepEqual(r.results().verdict.reasons, [
      'default threshold http_req_failed rate<0.01 failed (actual 0.090909)',
      'default threshold iteration_failed rate<0.01 failed (actual 1)',
      'run validity maxAborted failed: requests that got no response 9.09% (4 of 44), limit <= 1%',
    ]);
    assert.deepEqual(server.paths(), {
      'GET /p/a': 4,
      'GET /p/b': 4,
      'GET /p/c': 4,
      'GET /auth': 4,
      'GET /always': 4,
      'GET /range/2': 4,
      'GET /range/3': 4,
      'GET /over/x': 4,
      'GET /over/y': 4,
      'GET /over/z': 4,
    });
    for (const q of server.requests) assert.equal(q.headers.cookie, 'lang=en', 'defaults.cookie');
    assert.equal(
      byPath(server, '/auth')[0]?.headers.authorization,
      `Basic ${Buffer.from('ada:s3cret').toString('base64')}`,
    );
    const res = r.results();
    assert.deepEqual(res.requests.errors, { ECONNREFUSED: 4 }, 'no response: the user ends there');
    const onError = res.metrics.on_error_called;
    assert.equal(onError?.type === 'counter' && onError.count, 4);
  });
});

describe('loadproof run script.yml: outcomes', () => {
  it('ensure in its three forms gives NO-GO, exit 3; a non-strict condition only warns', async () => {
    const r = await run('ensure.yml', ['--workers', '1']);
    assert.equal(r.code, 3, r.stderr);
    const res = r.results();
    assert.equal(res.verdict.status, 'NO-GO');
    assert.deepEqual(
      res.thresholds.map((t) => [t.metric, t.expression, t.level]),
      [
        ['http_req_duration', 'p(95)<5', 'FAIL'],
        ['http_req_duration', 'p(99)<10', 'FAIL'],
        ['http_req_duration', 'max<1', 'WARN'],
        ['vusers.failed', 'rate<=0', 'PASS'],
        ['http_reqs{status:200}', 'count>=10', 'PASS'],
        ['http_reqs', 'rps>1', 'PASS'],
      ],
    );
  });

  it('a failed capture ends the user (not with strict: false): later steps are not sent, maxErrorRate counts it', async () => {
    const r = await run('failures.yml');
    assert.equal(r.code, 3, r.stderr);
    assert.equal(server.count('GET', '/ids'), 10);
    assert.equal(server.count('GET', '/after-strict'), 0);
    assert.equal(server.count('GET', '/after-lenient/'), 5, 'an empty non-strict capture renders as ""');
    const res = r.results();
    const failed = res.metrics['vusers.failed'];
    assert.deepEqual(failed?.type === 'rate' && [failed.passes, failed.fails], [5, 5]);
    const errors = res.metrics['errors.Failed capture or match'];
    assert.equal(errors?.type === 'counter' && errors.count, 5);
    assert.deepEqual(
      res.thresholds.map((t) => [t.metric, t.expression, t.actual, t.level]),
      [['vusers.failed', 'rate<=0.1', 0.5, 'FAIL']],
    );
    assert.match(
      r.stderr,
      /iteration failed: ArtilleryUserError: Failed capture or match: GET \/ids: json \$\.missing as missing/,
    );
  });

  it('cookies per user, redirects followed (each hop a request) unless followRedirect: false', async () => {
    const r = await run('session.yml');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(server.paths(), {
      'POST /login': 5,
      'GET /me': 5,
      'GET /redirect': 10,
      'GET /hello': 5,
    });
    const sessions = new Set<string>();
    for (const q of byPath(server, '/me')) {
      const m = /session=(s-\d+)/.exec(q.headers.cookie ?? '');
      assert.ok(m, `cookie sent: ${q.headers.cookie}`);
      assert.match(q.headers.cookie ?? '', /theme=dark/);
      sessions.add(m[1] as string);
    }
    assert.equal(sessions.size, 5, 'each user keeps its own cookie');
    const res = r.results();
    assert.deepEqual(res.requests.byStatus, { '200': 15, '302': 10 });
    assert.ok(Object.values(res.flowChecks).every((c) => c.fails === 0));
  });

  it('http.timeout: a request over it fails with ETIMEDOUT and ends the user', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadproof-artillery-'));
    const file = join(dir, 'timeout.yml');
    writeFileSync(
      file,
      `config:
  target: "{{ $env.TARGET }}"
  http:
    timeout: 0.2
  phases:
    - duration: 1
      arrivalCount: 3
  ensure:
    maxErrorRate: 0
scenarios:
  - flow:
      - get:
          url: "/delay/1500"
      - get:
          url: "/never"
`,
    );
    const r = await run(file);
    assert.equal(r.code, 3, r.stderr);
    const res = r.results();
    assert.deepEqual(res.requests.errors, { ETIMEDOUT: 3 });
    assert.equal(server.count('GET', '/never'), 0);
    assert.equal(
      res.metrics['errors.ETIMEDOUT']?.type === 'counter' && res.metrics['errors.ETIMEDOUT'].count,
      3,
    );
  });
});

describe('loadproof run script.yml: environments, warnings, errors', () => {
  it('--environment replaces target, phases and variables', async () => {
    const r = await run('environments.yml', ['--environment', 'local']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(server.paths(), { 'GET /env/local/local': 4 });
  });

  it('an unknown environment is invalid input, exit 2, naming the ones there are', async () => {
    const r = await run('environments.yml', ['--environment', 'prod']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /config\.environments: no environment "prod" \(environments: local\)/);
    assert.equal(server.requests.length, 0);
  });

  it('what is ignored is a warning with its path, printed once (not per worker thread)', async () => {
    const r = await run('ignored.yml', ['--workers', '2']);
    assert.equal(r.code, 0, r.stderr);
    for (const w of [
      /config\.tls: not supported/,
      /config\.mode: ignored/,
      /config\.plugins\.metrics-by-endpoint: plugin not needed, ignored/,
      /config\.plugins\.publish-metrics: plugin not supported, ignored \(line 13\)/,
      /scenarios\[0\]\.flow\[0\]\.get\.expect: expectations are not checked without the expect plugin/,
    ]) {
      const n = r.stderr.split('\n').filter((l) => w.test(l)).length;
      assert.equal(n, 1, `${w} printed once:\n${r.stderr}`);
    }
    assert.equal(server.count('GET', '/hello'), 3);
    assert.deepEqual(r.results().flowChecks, {}, 'without the plugin, no expectation is checked');
  });

  it('a YAML syntax error names the file and line: exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadproof-artillery-'));
    const file = join(dir, 'broken.yml');
    writeFileSync(file, 'config:\n  target: "http://127.0.0.1:1"\n  phases: [\n    - duration: 1\n');
    const r = await runCli(['run', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /broken\.yml:\d+:\d+: YAML syntax error: /);
  });

  it('every bad or unsupported field is named by its path (and line), all at once: exit 2, nothing sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadproof-artillery-'));
    const file = join(dir, 'bad.yml');
    writeFileSync(
      file,
      `config:
  target: "{{ $env.TARGET }}"
  phases:
    - duration: 1
      arrivalRate: 1
    - duration: 1
      arrivalRate: ten
    - duration: 1
  payload:
    path: users.csv
  ensure:
    conditions:
      - expression: "http.response_time.p95 < 100 or vusers.failed == 0"
  plugins:
    expect: {}
scenarios:
  - engine: socketio
    flow:
      - emit: ["hello"]
  - flow:
      - get:
          url: "/a"
          capture:
            - xpath: "//id"
              as: id
          expect:
            - cdnHit: true
      - send: "hello"
      - gett:
          url: "/typo"
      - loop:
          - get:
              url: "/x"
      - get:
          url: "/r/{{ $randomUUID() }}"
          ifTrue: "a <"
`,
    );
    const r = await run(file);
    assert.equal(r.code, 2, r.stderr);
    for (const expected of [
      'config.phases[1].arrivalRate: expected a non-negative number, got string "ten" (line 7)',
      'config.phases[2]: expected arrivalRate (with rampTo to ramp), arrivalCount, or pause (line 8)',
      'config.payload.fields: expected the variable names of the columns, in order',
      'scenarios[0].engine: engine "socketio" is not supported (only HTTP scenarios) (line 17)',
      'scenarios[1].flow[0].get.capture[0].xpath: xpath captures are not supported',
      'scenarios[1].flow[0].get.expect[0].cdnHit: expectation "cdnHit" is not supported',
      'scenarios[1].flow[1].send: WebSocket and Socket.IO steps are not supported (only HTTP) (line 28)',
      'scenarios[1].flow[2]: unknown step "gett"',
      'scenarios[1].flow[3]: a loop needs count, over or whileTrue',
      'scenarios[1].flow[4]: unknown template function $randomUUID()',
      'scenarios[1].flow[4].get.ifTrue: malformed expression',
    ]) {
      assert.ok(r.stderr.includes(expected), `missing "${expected}" in:\n${r.stderr}`);
    }
    assert.equal(server.requests.length, 0);
  });

  it('conditions loadproof cannot express, and unknown processor functions, are named too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadproof-artillery-'));
    writeFileSync(join(dir, 'p.js'), 'module.exports = { known(context, events, done) { done(); } };\n');
    const file = join(dir, 'fns.yml');
    writeFileSync(
      file,
      `config:
  target: "{{ $env.TARGET }}"
  processor: "./p.js"
  phases:
    - duration: 1
      arrivalRate: 1
scenarios:
  - beforeScenario: known
    flow:
      - function: unknownFn
      - get:
          url: "/a"
          afterResponse:
            - known
            - alsoUnknown
`,
    );
    const r = await run(file);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /scenarios\[0\]\.flow\[0\]\.function: no function "unknownFn" in the processor \.\/p\.js \(it exports: known\) \(line 10\)/,
    );
    assert.match(r.stderr, /scenarios\[0\]\.flow\[1\]\.get\.afterResponse\[1\]: no function "alsoUnknown"/);

    writeFileSync(
      file,
      `config:
  target: "{{ $env.TARGET }}"
  phases:
    - duration: 1
      arrivalRate: 1
  ensure:
    conditions:
      - expression: "http.response_time.p95 < 100 or vusers.failed == 0"
      - expression: "http.responses > 1"
scenarios:
  - flow:
      - get:
          url: "/a"
`,
    );
    const c = await run(file);
    assert.equal(c.code, 2, c.stderr);
    assert.match(
      c.stderr,
      /config\.ensure\.conditions\[0\]\.expression: .*only comparisons of a metric with a number, joined by "and"/,
    );
    assert.match(
      c.stderr,
      /config\.ensure\.conditions\[1\]\.expression: http\.responses: no loadproof equivalent/,
    );
  });
});
