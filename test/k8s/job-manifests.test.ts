/**
 * The sharded run's manifests, validated offline against the Kubernetes API schema
 * (kubernetes-models), plus the rules the schema cannot express; `--env` values only in a
 * Secret; args that reach the pod as written, whatever Kubernetes expands.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Secret } from 'kubernetes-models/v1';
import { envSecretName, jobName, jobRuleProblems, renderJobManifests } from '../../src/k8s/job-manifests.ts';
import { kubernetesLiteral } from '../../src/k8s/kubernetes-literal.ts';
import { expandAsKubernetes } from './kubernetes-expansion.mjs';

function render(shards: number, overrides: Partial<Parameters<typeof renderJobManifests>[0]> = {}) {
  return renderJobManifests({
    plan: { path: 'plan.ts', content: "export default { target: 'http://127.0.0.1:1' };\n" },
    files: [{ path: 'data/users.csv', content: 'user,password\nu1,p1\n' }],
    shards,
    image: 'registry.example/loadproof:0.1.0',
    namespace: 'load',
    runId: 'run-20261202T160000Z',
    startAt: new Date(Date.now() + 60_000).toISOString(),
    planDurationMs: 600_000,
    ...overrides,
  }) as [Record<string, any>, Record<string, any>];
}

describe('Kubernetes manifests of a sharded run', () => {
  for (const shards of [1, 4, 64]) {
    it(`${shards} shard(s): a ConfigMap and an Indexed Job the API schema accepts`, () => {
      const [configMap, job] = render(shards);
      new ConfigMap(configMap as any).validate();
      new Job(job as any).validate();
      assert.deepEqual(jobRuleProblems(job), []);
      assert.equal(job.spec.completionMode, 'Indexed');
      assert.equal(job.spec.completions, shards);
      assert.equal(job.spec.parallelism, shards);
      assert.equal(job.spec.backoffLimitPerIndex, 0);
      assert.equal(job.spec.template.spec.restartPolicy, 'Never');
      const args: string[] = job.spec.template.spec.containers[0].args;
      assert.equal(args[args.indexOf('--shard') + 1], `$(JOB_COMPLETION_INDEX)/${shards}`);
      assert.ok(job.spec.activeDeadlineSeconds > 600, 'the deadline leaves the plan its time');
    });
  }

  it('a failed or evicted shard fails the Job instead of running again', () => {
    const [, job] = render(4);
    const rules = job.spec.podFailurePolicy.rules;
    assert.deepEqual(rules[0], {
      action: 'FailJob',
      onExitCodes: { containerName: 'loadproof', operator: 'NotIn', values: [0] },
    });
    assert.equal(rules[1].action, 'FailJob');
    assert.equal(rules[1].onPodConditions[0].type, 'DisruptionTarget');
  });

  it('the plan and its data files reach the pod at the paths the plan names', () => {
    const [configMap, job] = render(2);
    const items = job.spec.template.spec.volumes[0].configMap.items as { key: string; path: string }[];
    assert.deepEqual(
      items.map((i) => i.path),
      ['plan.ts', 'data/users.csv'],
    );
    for (const i of items) assert.equal(typeof configMap.data[i.key], 'string');
    assert.equal(configMap.data[items[1]?.key as string], 'user,password\nu1,p1\n');
    assert.ok(job.spec.template.spec.containers[0].args.includes('/plan/plan.ts'));
  });

  it('the schema refuses what the API server would, and so do the extra rules', () => {
    const [, job] = render(2);
    const broken = structuredClone(job);
    broken.spec.completionMode = 'Sideways';
    assert.throws(() => new Job(broken as any).validate(), /completionMode/);
    const notIndexed = structuredClone(job);
    delete notIndexed.spec.completionMode;
    notIndexed.spec.template.spec.restartPolicy = 'OnFailure';
    assert.deepEqual(jobRuleProblems(notIndexed), [
      'spec.backoffLimitPerIndex needs spec.completionMode: Indexed',
      'spec.podFailurePolicy needs spec.template.spec.restartPolicy: Never',
    ]);
  });

  it('--env values are only in a Secret, applied first; the Job reads them by secretKeyRef', () => {
    const env = { API_TOKEN: 's3cr3t', ODD: '$(id) and $$HOME' };
    const manifests = render(2, { secretEnv: env }) as unknown as Record<string, any>[];
    assert.deepEqual(
      manifests.map((m) => m.kind),
      ['Secret', 'ConfigMap', 'Job'],
    );
    const [secret, configMap, job] = manifests as [
      Record<string, any>,
      Record<string, any>,
      Record<string, any>,
    ];
    new Secret(secret as any).validate();
    new ConfigMap(configMap as any).validate();
    new Job(job as any).validate();
    assert.deepEqual(jobRuleProblems(job), []);
    assert.equal(secret.type, 'Opaque');
    assert.equal(secret.metadata.name, envSecretName('run-20261202T160000Z'));
    assert.equal(secret.metadata.namespace, 'load');
    assert.deepEqual(secret.stringData, env);
    const container = job.spec.template.spec.containers[0];
    assert.deepEqual(container.env, [
      { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'API_TOKEN' } } },
      { name: 'ODD', valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'ODD' } } },
    ]);
    for (const m of [configMap, job]) {
      assert.equal(JSON.stringify(m).includes('s3cr3t'), false, m.kind);
      assert.equal(JSON.stringify(m).includes('$$HOME'), false, m.kind);
    }
    assert.equal(container.args.includes('--env'), false);
    const [, plainJob] = render(2);
    assert.equal(
      plainJob.spec.template.spec.containers[0].env,
      undefined,
      'no Secret, no env, without --env',
    );
  });

  it('a plan named with $(...) and $$ reaches the pod as named; only the shard index is expanded', () => {
    const path = 'p$(id)x$$y $(JOB_COMPLETION_INDEX).ts';
    const [configMap, job] = render(2, { plan: { path, content: 'export default {};\n' } });
    new Job(job as any).validate();
    const args: string[] = job.spec.template.spec.containers[0].args;
    assert.ok(args.includes('/plan/p$$(id)x$$$$y $$(JOB_COMPLETION_INDEX).ts'), args.join(' '));
    const vars = { JOB_COMPLETION_INDEX: '1', id: 'uid=0(root)' };
    const inPod = args.map((a) => expandAsKubernetes(a, vars));
    assert.equal(inPod[1], `/plan/${path}`);
    assert.equal(inPod[inPod.indexOf('--shard') + 1], '1/2');
    assert.equal(job.spec.template.spec.volumes[0].configMap.items[0].path, path);
    assert.equal(Object.keys(configMap.data).length, 2);
  });

  it('a Kubernetes literal survives the expansion for any text', () => {
    const vars = { A: 'x', JOB_COMPLETION_INDEX: '3' };
    for (const text of [
      '',
      '$',
      '$$',
      '$$$',
      '$(A)',
      '$$(A)',
      '$(A',
      'a$b',
      '$(',
      'end$',
      '$($(A))',
      '$(HOME)$$x',
    ])
      assert.equal(expandAsKubernetes(kubernetesLiteral(text), vars), text, text);
    assert.equal(kubernetesLiteral('$(id)'), '$$(id)');
    assert.equal(kubernetesLiteral('$$'), '$$$$');
  });

  it('names are valid DNS labels; files too big for a ConfigMap are refused', () => {
    assert.equal(jobName('Run_2026/12/02 16:00'), 'loadproof-run-2026-12-02-16-00');
    assert.ok(jobName('x'.repeat(100)).length <= 52);
    assert.throws(
      () => render(2, { files: [{ path: 'big.json', content: 'x'.repeat(1024 * 1024) }] }),
      /a ConfigMap holds at most 1048576/,
    );
  });
});
