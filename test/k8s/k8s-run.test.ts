/**
 * `loadproof k8s run` and `k8s collect` without a cluster: kubectl is a test double
 * (kubectl-double.mjs) that runs the pods of the applied Indexed Job as local processes against a
 * loopback server and serves their stdout as their logs. What is proven here is loadproof's side
 * (apply, wait, collect, merge, exit codes), not a real cluster's behaviour.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResultsFile } from '../../src/results/types.ts';
import { type CliRun, outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';

const DOUBLE = new URL('./kubectl-double.mjs', import.meta.url).pathname;
const LEAD = '25s';

let server: Server;
let dir = '';
let plan = '';
let ok: CliRun;
let killed: CliRun;
let single: CliRun;
let launchedAt = 0;
let collected: CliRun;
let unframed: CliRun;
let missing: CliRun;
let failing: CliRun;
let unknown: CliRun;

const stateOf = (name: string) => join(dir, `state-${name}`);
const doubleEnv = (state: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  KUBECTL_DOUBLE_STATE: state,
  KUBECTL_DOUBLE_EXTRA_ARGS: JSON.stringify(['--workers', '1']),
  ...extra,
});
const runArgs = (out: string) => [
  'k8s',
  'run',
  plan,
  '--shards',
  '2',
  '--image',
  'registry.example/loadproof:0.1.0',
  '--namespace',
  'load',
  '--lead',
  LEAD,
  '--poll',
  '300ms',
  '--kubectl',
  DOUBLE,
  '--out',
  join(dir, out),
];
/** Arrivals of the open-model scenario: run, dropped or missed, each counted once. */
const arrivals = (r: ResultsFile) =>
  (r.scenarios.browse?.iterations ?? 0) +
  r.droppedIterations +
  ((r.metrics.missed_arrivals as { count?: number } | undefined)?.count ?? 0);
const requests = (r: ResultsFile) => (r.metrics.http_reqs as { count?: number } | undefined)?.count;
const onlyJob = (state: string) => {
  const folder = join(state, 'objects', 'load');
  const file = readdirSync(folder).find((f) => f.startsWith('job-')) as string;
  return JSON.parse(readFileSync(join(folder, file), 'utf8')) as Record<string, any>;
};

before(async () => {
  server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = outsideDir();
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'items.csv'), 'id\na\nb\nc\n');
  plan = writePlan(
    dir,
    'plan.ts',
    `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  data: { items: { file: 'data/items.csv', format: 'csv' } },
  scenarios: {
    browse: {
      executor: 'constant-arrival-rate', rate: 20, duration: '3s', preAllocatedVUs: 10, maxVUs: 40,
      flow: async (vu) => { const row = vu.data.items[vu.iteration % 3]; await vu.http.get('/items/' + row.id); },
    },
  },
  thresholds: { http_req_failed: ['rate<0.01'] },
});
`,
  );
  // Everything at once, so that the test stays short on a slow machine: the two sharded runs and
  // the single run; the refusals once the shards have started and wait for their start.
  launchedAt = Date.now();
  const refusals = new Promise((r) => setTimeout(r, 8000)).then(refusalRuns);
  [ok, killed, single, [missing, failing, unknown]] = await Promise.all([
    runCli(runArgs('merged'), { cwd: dir, env: doubleEnv(stateOf('ok')), timeoutMs: 120_000 }),
    runCli(runArgs('killed'), {
      cwd: dir,
      env: doubleEnv(stateOf('killed'), {
        KUBECTL_DOUBLE_KILL_INDEX: '1',
        KUBECTL_DOUBLE_KILL_AFTER_MS: '1500',
      }),
      timeoutMs: 120_000,
    }),
    runCli(['run', plan, '--workers', '1', '--out', join(dir, 'single')], { cwd: dir, timeoutMs: 120_000 }),
    refusals,
  ]);
  [collected, unframed] = await Promise.all([collectAgain(), collectUnframed()]);
});
after(() => new Promise<void>((r) => server.close(() => r())));

/** kubectl missing from PATH, kubectl failing on apply, and collect of a Job that does not exist. */
function refusalRuns(): Promise<CliRun[]> {
  const empty = join(dir, 'empty-bin');
  mkdirSync(empty, { recursive: true });
  return Promise.all([
    runCli(['k8s', 'collect', 'loadproof-x', '--out', join(dir, 'm')], {
      cwd: dir,
      env: { ...process.env, PATH: empty },
    }),
    runCli(runArgs('failing'), {
      cwd: dir,
      env: doubleEnv(stateOf('failing'), { KUBECTL_DOUBLE_FAIL: 'apply' }),
    }),
    runCli(['k8s', 'collect', 'loadproof-nope', '--kubectl', DOUBLE, '--out', join(dir, 'u')], {
      cwd: dir,
      env: doubleEnv(stateOf('unknown')),
    }),
  ]);
}

/** `k8s collect` of the Job that `k8s run` ran, with the double found as `kubectl` on PATH. */
function collectAgain(): Promise<CliRun> {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(DOUBLE, join(bin, 'kubectl'));
  const name = onlyJob(stateOf('ok')).metadata.name as string;
  return runCli(
    ['k8s', 'collect', name, '--namespace', 'load', '--plan', plan, '--out', join(dir, 'collected')],
    { cwd: dir, env: doubleEnv(stateOf('ok'), { PATH: `${bin}:${process.env.PATH}` }) },
  );
}

/** `k8s collect` of a copy of that Job where index 0's log lost its framed results line. */
function collectUnframed(): Promise<CliRun> {
  const state = stateOf('unframed');
  cpSync(stateOf('ok'), state, { recursive: true });
  const pod = readdirSync(join(state, 'pods')).find((p) => /-0-\w+$/.test(p)) as string;
  writeFileSync(join(state, 'pods', pod, 'log'), 'loadproof 0.1.0: the shard was cut short\n');
  const name = onlyJob(state).metadata.name as string;
  return runCli(
    ['k8s', 'collect', name, '--namespace', 'load', '--kubectl', DOUBLE, '--out', join(dir, 'unframed')],
    { cwd: dir, env: doubleEnv(state) },
  );
}

after(() => new Promise<void>((r) => server.close(() => r())));

describe('loadproof k8s run / collect against a kubectl double', () => {
  it('applies the Job with a start --lead ahead, waits, collects both shards and judges them as a single run', () => {
    assert.equal(single.code, 0, single.stderr);
    assert.equal(ok.code, single.code, ok.stderr);
    const m = readResults(join(dir, 'merged'));
    const s = readResults(join(dir, 'single'));
    assert.equal(m.verdict.status, s.verdict.status);
    assert.equal(arrivals(m), 60);
    assert.equal(arrivals(s), 60);
    assert.deepEqual(
      m.shards?.map((x) => x.segment),
      ['0:1/2', '1/2:1'],
    );
    assert.match(ok.stderr, /job loadproof-\S+: \d+ active, 0\/2 succeeded/);
    assert.match(ok.stderr, /job loadproof-\S+: 0 active, 2\/2 succeeded, 0 failed/);
    assert.match(ok.stderr, /index 0: results from pod \S+-0-\w+/);
    assert.match(ok.stderr, /index 1: results from pod \S+-1-\w+/);

    const calls = readFileSync(join(stateOf('ok'), 'calls.log'), 'utf8')
      .trim()
      .split('\n');
    assert.deepEqual(JSON.parse(calls[0] as string), ['apply', '-f', '-']);
    const job = onlyJob(stateOf('ok'));
    const args = job.spec.template.spec.containers[0].args as string[];
    const startAt = Date.parse(args[args.indexOf('--start-at') + 1] as string);
    // The start is the lead after a moment between the command's launch and the apply.
    const pod = readdirSync(join(stateOf('ok'), 'pods'))[0] as string;
    const appliedAt = Date.parse(readFileSync(join(stateOf('ok'), 'pods', pod, 'created'), 'utf8'));
    assert.ok(
      startAt - 25_000 >= launchedAt && startAt - 25_000 <= appliedAt,
      `start ${startAt - launchedAt} ms after the launch, ${startAt - appliedAt} ms after the apply`,
    );
    // Each index's log is kept beside the merged results, for `loadproof merge` later.
    assert.deepEqual(readdirSync(join(dir, 'merged', 'shards')).sort(), ['index-0.log', 'index-1.log']);
  });

  it('k8s collect (kubectl found on PATH) merges the same Job again to the same results', () => {
    assert.equal(collected.code, ok.code, collected.stderr);
    const c = readResults(join(dir, 'collected'));
    const m = readResults(join(dir, 'merged'));
    assert.equal(c.verdict.status, m.verdict.status);
    assert.equal(requests(c), requests(m));
    assert.equal(arrivals(c), 60);
  });

  it('a killed index makes the run INCOMPLETE, exit 4, and says which index failed and why', () => {
    assert.equal(killed.code, 4, killed.stderr);
    assert.match(killed.stderr, /job loadproof-\S+ failed \(PodFailurePolicy\): .*exit code 137/);
    assert.match(killed.stderr, /index 1: pod \S+-1-\w+ exited 137/);
    assert.match(killed.stderr, /index 1: no results: .*no framed results line/);
  });

  it('an index whose log has no framed results line is missing: INCOMPLETE, exit 4', () => {
    assert.equal(unframed.code, 4, unframed.stderr);
    assert.match(unframed.stderr, /index 0: no results: .*its log has no framed results line/);
    assert.equal(readResults(join(dir, 'unframed')).verdict.status, 'INCOMPLETE');
  });

  it('kubectl missing, kubectl failing and a Job that does not exist: exit 2, with what kubectl said', () => {
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /kubectl was not found on PATH/);
    assert.equal(failing.code, 2, failing.stderr);
    assert.match(failing.stderr, /kubectl apply -f - exited with 1:\n.*the double was told to fail "apply"/);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /NotFound.*jobs\.batch "loadproof-nope" not found/);
  });
});
