/**
 * No cluster here: the manifests `loadproof k8s` writes are validated against the Kubernetes
 * API schema, then each pod's command is run as a local process from what the manifest says
 * (its args with JOB_COMPLETION_INDEX, the ConfigMap's files at their mount paths), their
 * stdout collected as `kubectl logs` gives it, and merged: the same verdict as a single run.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { jobRuleProblems } from '../../src/k8s/job-manifests.ts';
import { outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { reasonsOnAnyMachine } from '../helpers/machine-independent.ts';

let server: Server;
let target = '';
before(async () => {
  server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

describe('loadproof k8s: manifests, and their pods run as local processes', () => {
  it('two shards from the manifest, merged, give the verdict and arrivals of a single run', async () => {
    const dir = outsideDir();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'items.csv'), 'id\na\nb\nc\n');
    const plan = writePlan(
      dir,
      'plan.ts',
      `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  data: { items: { file: 'data/items.csv', format: 'csv' } },
  scenarios: {
    browse: {
      executor: 'constant-arrival-rate', rate: 40, duration: '2s', preAllocatedVUs: 10, maxVUs: 40,
      flow: async (vu) => { const row = vu.data.items[vu.iteration % 3]; await vu.http.get('/items/' + row.id); },
    },
  },
  thresholds: { http_req_failed: ['rate<0.01'], http_reqs: ['count>=60'] },
});
`,
    );
    const rendered = await runCli(
      [
        'k8s',
        plan,
        '--shards',
        '2',
        '--image',
        'registry.example/loadproof:0.1.0',
        '--namespace',
        'load',
        '--start-in',
        '25s',
        '--out',
        join(dir, 'k8s'),
      ],
      { cwd: dir },
    );
    assert.equal(rendered.code, 0, rendered.stderr);
    const file = /wrote (\S+\.yaml)/.exec(rendered.stdout)?.[1] as string;
    const [configMap, job] = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS()) as [
      Record<string, any>,
      Record<string, any>,
    ];
    new ConfigMap(configMap as any).validate();
    new Job(job as any).validate();
    assert.deepEqual(jobRuleProblems(job as Record<string, any>), []);

    // The pod's view: the ConfigMap's files under the volume's mount path.
    const container = job.spec.template.spec.containers[0];
    const mount = container.volumeMounts[0].mountPath as string;
    const podRoot = join(dir, 'pod');
    for (const item of job.spec.template.spec.volumes[0].configMap.items as {
      key: string;
      path: string;
    }[]) {
      const local = join(podRoot, item.path);
      mkdirSync(dirname(local), { recursive: true });
      writeFileSync(local, configMap.data[item.key]);
    }
    const logs = await Promise.all(
      [0, 1].map(async (index) => {
        const args = (container.args as string[]).map((a) =>
          a
            .replace('$(JOB_COMPLETION_INDEX)', String(index))
            .replace(/^\/tmp\/loadproof$/, join(dir, `out-${index}`))
            .replace(`${mount}/`, `${podRoot}/`),
        );
        const r = await runCli([...args, '--workers', '1'], { cwd: podRoot, timeoutMs: 90_000 });
        assert.equal(r.code, 0, `shard ${index}: ${r.stderr}`);
        return r.stdout;
      }),
    );
    writeFileSync(join(dir, 'shards.log'), logs.join(''));
    const merged = await runCli(
      ['merge', join(dir, 'shards.log'), '--plan', plan, '--out', join(dir, 'merged')],
      { cwd: dir },
    );
    const single = await runCli(['run', plan, '--workers', '1', '--out', join(dir, 'single')], { cwd: dir });
    const m = readResults(join(dir, 'merged'));
    const s = readResults(join(dir, 'single'));
    // The same verdict, but for what a busy machine alone decides (a shard that started late).
    assert.ok(
      [0, 3].includes(merged.code ?? -1) && [0, 3].includes(single.code ?? -1),
      `${merged.stderr}\n${single.stderr}`,
    );
    assert.deepEqual(reasonsOnAnyMachine(m), reasonsOnAnyMachine(s));
    const arrivals = (r: typeof m) =>
      (r.scenarios.browse?.iterations ?? 0) +
      r.droppedIterations +
      ((r.metrics.missed_arrivals as { count?: number } | undefined)?.count ?? 0);
    assert.equal(arrivals(m), 80);
    assert.equal(arrivals(s), 80);
    assert.equal(m.shards?.length, 2);
  });

  it('bad input is refused with the flag named, exit 2', async () => {
    const dir = outsideDir();
    const plan = writePlan(
      dir,
      'plan.ts',
      `import { definePlan } from 'loadproof';\nexport default definePlan({ target: 'http://127.0.0.1:9', scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 1, flow: async () => {} } } });\n`,
    );
    for (const [args, message] of [
      [['--shards', '0', '--image', 'x'], /--shards: expected a whole number from 1 to 1000/],
      [['--shards', '2', '--image', ' '], /--image: the container image/],
      [
        ['--shards', '2', '--image', 'x', '--namespace', 'Bad_NS'],
        /--namespace: not a Kubernetes namespace name/,
      ],
      [['--shards', '2', '--image', 'x', '--start-in', 'soon'], /--start-in: expected a duration/],
    ] as const) {
      const r = await runCli(['k8s', plan, ...args, '--out', join(dir, 'k8s')], { cwd: dir });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
});
