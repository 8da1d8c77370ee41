/**
 * `--env` values of a sharded run on Kubernetes stay secret, and hostile names stay inert:
 * `loadproof k8s` writes them only in a Secret's file (mode 0600), the Job reads them by
 * secretKeyRef, and the commands it prints paste into a shell as they read; `loadproof k8s run`
 * (against the kubectl double) applies the Secret before the Job, and a plan named
 * `p$(id)x$$y.ts` runs in the pod with the values exactly as given.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Secret } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { jobRuleProblems } from '../../src/k8s/job-manifests.ts';
import { type CliRun, outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';

const DOUBLE = new URL('./kubectl-double.mjs', import.meta.url).pathname;
const TOKEN = 's3cr3t-t0ken-4f9a';
const ODD = "$(id) $$HOME `id` 'q'";
const ENV_FLAGS = ['--env', `API_TOKEN=${TOKEN}`, '--env', `ODD=${ODD}`];

/** The words `sh` makes of a printed command line (its program replaced by printf). */
function wordsOf(line: string): string[] {
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

let server: Server;
let target = '';
const seen: { token: string; odd: string }[] = [];
before(async () => {
  server = createServer((req, res) => {
    seen.push({
      token: String(req.headers['x-token']),
      odd: decodeURIComponent(String(req.headers['x-odd'])),
    });
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const planSource = () => `import { definePlan } from 'loadproof';
export default definePlan({
  name: 'hostile',
  target: '${target}',
  scenarios: {
    s: {
      executor: 'shared-iterations', vus: 1, iterations: 3,
      flow: async (vu) => {
        await vu.http.get('/', { headers: { 'x-token': vu.env.API_TOKEN, 'x-odd': encodeURIComponent(vu.env.ODD) } });
      },
    },
  },
});
`;

describe('loadproof k8s with --env and a hostile plan name', () => {
  it('writes the values only in the Secret file (0600), refers to them by secretKeyRef, prints quoted commands', async () => {
    const dir = outsideDir();
    const plan = writePlan(dir, "p$(id) 'x'.ts", planSource());
    const out = join(dir, 'k8s');
    const startAt = new Date(Date.now() + 3_600_000).toISOString();
    const args = ['k8s', plan, '--shards', '2', '--image', 'img:1', '--start-at', startAt, '--out', out];
    const first = await runCli([...args, ...ENV_FLAGS], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    const files = readdirSync(out).sort();
    assert.equal(files.length, 2, files.join());
    const secretFile = join(out, files.find((f) => f.endsWith('.secret.yaml')) as string);
    const jobFile = join(out, files.find((f) => !f.endsWith('.secret.yaml')) as string);
    // A Secret file left readable by others (an older version, a copy) is replaced, not reused.
    chmodSync(secretFile, 0o644);
    const second = await runCli([...args, ...ENV_FLAGS], { cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(statSync(secretFile).mode & 0o777, 0o600);

    const jobYaml = readFileSync(jobFile, 'utf8');
    for (const text of [jobYaml, second.stdout, second.stderr]) {
      assert.equal(text.includes(TOKEN), false);
      assert.equal(text.includes('$$HOME'), false);
    }
    const [secret] = parseAllDocuments(readFileSync(secretFile, 'utf8')).map((d) => d.toJS());
    new Secret(secret).validate();
    assert.deepEqual(secret.stringData, { API_TOKEN: TOKEN, ODD });
    const [configMap, job] = parseAllDocuments(jobYaml).map((d) => d.toJS());
    new ConfigMap(configMap).validate();
    new Job(job).validate();
    assert.deepEqual(jobRuleProblems(job), []);
    const container = job.spec.template.spec.containers[0];
    assert.deepEqual(
      container.env.map((e: any) => [e.name, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key]),
      [
        ['API_TOKEN', secret.metadata.name, 'API_TOKEN'],
        ['ODD', secret.metadata.name, 'ODD'],
      ],
    );
    assert.ok(container.args.includes("/plan/p$$(id) 'x'.ts"), container.args.join(' '));

    // Every printed command pastes into sh as the words it names.
    const lines = second.stdout.split('\n').map((l) => l.trim());
    const apply = lines.filter((l) => l.startsWith('kubectl apply '));
    assert.deepEqual(apply.map(wordsOf), [
      ['kubectl', 'apply', '-f', secretFile],
      ['kubectl', 'apply', '-f', jobFile],
    ]);
    const merge = lines.find((l) => l.startsWith('loadproof merge ')) as string;
    assert.deepEqual(wordsOf(merge), ['loadproof', 'merge', 'shards.log', '--plan', plan, '--out', 'merged']);
    const all = /all of it at once: (.*)\)$/.exec(second.stdout.trim())?.[1] as string;
    assert.deepEqual(wordsOf(all).slice(0, 4), ['loadproof', 'k8s', 'run', plan]);
    assert.deepEqual(wordsOf(all).slice(-4), ['--env', 'API_TOKEN=...', '--env', 'ODD=...']);
  });

  it('refuses an --env name a pod cannot take, exit 2', async () => {
    const dir = outsideDir();
    const plan = writePlan(dir, 'plan.ts', planSource());
    for (const [flag, message] of [
      ['BAD NAME=x', /--env: "BAD NAME" is not a variable name a pod takes/],
      ['=x', /--env: expected KEY=VALUE/],
    ] as const) {
      const r = await runCli(['k8s', plan, '--shards', '1', '--image', 'x', '--env', flag, '--out', dir], {
        cwd: dir,
      });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    }
  });
});

describe('loadproof k8s run with --env, against the kubectl double', () => {
  let run: CliRun;
  let dir = '';
  let state = '';
  before(async () => {
    dir = outsideDir();
    state = join(dir, 'state');
    const plan = writePlan(dir, 'p$(id)x$$y.ts', planSource());
    run = await runCli(
      [
        'k8s',
        'run',
        plan,
        '--shards',
        '1',
        '--image',
        'img:1',
        '--namespace',
        'load',
        '--lead',
        '15s',
        '--poll',
        '300ms',
        '--kubectl',
        DOUBLE,
        '--out',
        join(dir, 'merged'),
        ...ENV_FLAGS,
      ],
      {
        cwd: dir,
        env: {
          ...process.env,
          KUBECTL_DOUBLE_STATE: state,
          KUBECTL_DOUBLE_EXTRA_ARGS: JSON.stringify(['--workers', '1']),
        },
        timeoutMs: 120_000,
      },
    );
  });

  it('the pod runs the plan by its own name and gets the values exactly; the Job holds none', () => {
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readResults(join(dir, 'merged')).requests.total, 3);
    assert.deepEqual(seen, [
      { token: TOKEN, odd: ODD },
      { token: TOKEN, odd: ODD },
      { token: TOKEN, odd: ODD },
    ]);
    const objects = readdirSync(join(state, 'objects', 'load')).sort();
    // The Secret was applied before the Job and deleted once the Job had finished.
    assert.deepEqual(
      objects.map((f) => f.split('-')[0]),
      ['configmap', 'job'],
    );
    const calls = readFileSync(join(state, 'calls.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const applied = calls.findIndex((c) => c[0] === 'apply');
    const deleted = calls.findIndex((c) => c[0] === 'delete' && c[1] === 'secret');
    assert.ok(applied >= 0 && deleted > applied, JSON.stringify(calls));
    assert.match(run.stderr, /secret \S+-env deleted \(the Job has finished\)/);
    const job = readFileSync(join(state, 'objects', 'load', objects[1] as string), 'utf8');
    assert.equal(job.includes(TOKEN), false);
    assert.equal(run.stderr.includes(TOKEN), false);
  });
});
