/**
 * The registry of live outputs is the one list: `run --help` and the docs (docs/reports-and-outputs.md) describe every kind
 * in it, `--out` refuses a kind not in it (exit 2, the known kinds listed) before any load, and
 * the outputs a run is given are driven together: one that fails is reported once and never
 * changes the verdict, one that cannot start stops the run before any load.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../src/errors.ts';
import { initHistograms } from '../../src/metrics/histogram.ts';
import type { LiveOutput } from '../../src/outputs/live-output.ts';
import { OUTPUT_KINDS, parseOutValues } from '../../src/outputs/output-registry.ts';
import { definePlan } from '../../src/plan/load.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { runPlan } from '../../src/run/run.ts';
import { outsideDir, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const KINDS = Object.keys(OUTPUT_KINDS);

let server: TestServer;
before(async () => {
  await initHistograms();
  server = await startTestServer();
});
after(() => server.close());

const planOf = (iterations: number, path = '/hello') =>
  validatePlan(
    definePlan({
      target: server.url,
      scenarios: {
        s: {
          executor: 'shared-iterations',
          vus: 1,
          iterations,
          flow: async (vu) => {
            await vu.http.get(path);
          },
        },
      },
    }),
  );

describe('the output registry', () => {
  it('holds the five kinds, each with an argument and a summary', () => {
    assert.deepEqual(KINDS, ['json', 'csv', 'prometheus', 'otlp', 'influxdb']);
    for (const [kind, o] of Object.entries(OUTPUT_KINDS)) {
      assert.match(o.argument, /^[A-Z:]+$/, kind);
      assert.ok(o.summary.length > 20, kind);
    }
  });

  it('run --help lists every kind from the registry, with its argument and summary', async () => {
    const r = await runCli(['run', '--help']);
    assert.equal(r.code, EXIT.go);
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const [kind, o] of Object.entries(OUTPUT_KINDS))
      assert.ok(help.includes(`${kind}=${o.argument}: ${o.summary}`), `--help describes ${kind}=`);
  });

  it('the docs document every kind as --out KIND=', () => {
    const page = readFileSync(new URL('../../docs/reports-and-outputs.md', import.meta.url), 'utf8');
    for (const kind of KINDS)
      assert.ok(page.includes(`--out ${kind}=`), `docs/reports-and-outputs.md on --out ${kind}=`);
  });

  it('reads --out: one folder, KIND=ARGUMENT in order, an unknown kind refused with the known ones', () => {
    assert.deepEqual(parseOutValues(['out', 'json=a.ndjson', 'influxdb=http://h/write?db=x=y']), {
      dir: 'out',
      outputs: [
        { kind: 'json', argument: 'a.ndjson' },
        { kind: 'influxdb', argument: 'http://h/write?db=x=y' },
      ],
    });
    assert.throws(() => parseOutValues(['a', 'b']), /one results folder only/);
    assert.throws(
      () => parseOutValues(['graphite=h:2003']),
      new RegExp(`unknown output "graphite" \\(kinds: ${KINDS.join(', ')};`),
    );
    assert.throws(() => parseOutValues(['constructor=x']), /unknown output "constructor"/);
  });

  it('an unknown kind or a refused argument exits 2 before any load, naming the output', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      `export default { target: '${server.url}', scenarios: { a: { executor: 'shared-iterations', vus: 1, iterations: 1, flow: async (vu) => { await vu.http.get('/never-sent'); } } } };`,
    );
    const unknown = await runCli(['run', file, '--out', 'statsd=127.0.0.1:8125'], { cwd: dir });
    assert.equal(unknown.code, EXIT.invalidInput);
    assert.match(unknown.stderr, new RegExp(`unknown output "statsd" \\(kinds: ${KINDS.join(', ')};`));
    const refused = await runCli(['run', file, '--out', 'influxdb=http://127.0.0.1:1/write'], { cwd: dir });
    assert.equal(refused.code, EXIT.invalidInput);
    assert.match(refused.stderr, /--out influxdb=http:\/\/127\.0\.0\.1:1\/write: the URL names no database/);
    assert.equal(server.counts.get('/never-sent'), undefined, 'no load sent');
  });
});

describe('the outputs of a run', () => {
  it('an output that throws is reported once, the others go on, the verdict is unchanged', async () => {
    const seen: number[] = [];
    let ended = 0;
    const failing: LiveOutput = {
      name: 'failing=x',
      eachSecond: () => {
        throw new Error('disk full');
      },
      end: () => {
        throw new Error('still full');
      },
    };
    const counting: LiveOutput = {
      name: 'counting=x',
      eachSecond: ({ figures }) => {
        seen.push(figures.counter('http_reqs'));
      },
      end: (results) => {
        ended = results.requests.total;
      },
    };
    const logs: string[] = [];
    const results = await runPlan({
      plan: planOf(30),
      outputs: [failing, counting],
      onLog: (m) => logs.push(m),
    });
    assert.equal(results.verdict.status, 'GO');
    assert.equal(results.requests.total, 30);
    assert.equal(
      seen.reduce((a, n) => a + n, 0),
      30,
      'every request in one second',
    );
    assert.equal(ended, 30);
    const said = logs.filter((m) => m.startsWith('output failing=x'));
    assert.equal(said.length, 1, said.join('\n'));
    assert.match(said[0] as string, /failed at second 1 and is no longer written: disk full/);
  });

  it('an output that cannot start stops the run before any load; the ones started are closed', async () => {
    let closed = 0;
    const started: LiveOutput = {
      name: 'first=x',
      start: () => {},
      close: () => {
        closed++;
      },
    };
    const refusing: LiveOutput = {
      name: 'second=x',
      start: () => {
        throw new Error('cannot listen');
      },
    };
    server.counts.clear();
    await assert.rejects(
      runPlan({ plan: planOf(5, '/not-this'), outputs: [started, refusing] }),
      /cannot listen/,
    );
    assert.equal(closed, 1);
    assert.equal(server.counts.get('/not-this'), undefined);
  });
});
