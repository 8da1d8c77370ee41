/**
 * Kubernetes manifests for a sharded run: a ConfigMap with the plan and its data files, and an
 * Indexed Job whose pod `i` runs `loadproof run PLAN --shard i/N`. Kubernetes only starts the
 * shards; the results are merged and judged by `loadproof merge`.
 *
 * A shard must never run twice: a re-run would add its load again in the middle of the test. So
 * a failed index is not retried (`backoffLimitPerIndex: 0`), and a pod that fails or is evicted
 * fails the whole Job (`podFailurePolicy`): the merge then reports the run INCOMPLETE.
 *
 * The values of `--env` are not written in the Job: they go in a Secret of their own (returned
 * first, so it is applied before the Job) and the container reads each by `secretKeyRef`. What
 * the Job's args carry is written as a Kubernetes literal, so a `$(...)` or `$$` in a plan's
 * file name reaches the pod unchanged.
 */
import { kubernetesLiteral } from './kubernetes-literal.ts';

export interface PlanFileForCluster {
  /** Path relative to the plan's folder, as the plan names it (`data/users.csv`). */
  path: string;
  content: string;
}

export interface JobManifestOptions {
  /** The plan file itself (path relative to its folder: its base name). */
  plan: PlanFileForCluster;
  /** Files the plan reads (data files, an Artillery processor), relative to the plan's folder. */
  files: PlanFileForCluster[];
  shards: number;
  image: string;
  namespace: string;
  /** Names the Job and ConfigMap, and every shard's results. */
  runId: string;
  /** When every shard starts its load (ISO time). */
  startAt: string;
  /** The plan's longest possible length: scenarios, gracefulStop and setup/teardown allowance. */
  planDurationMs: number;
  /** Seconds a shard may take to flush its results after a stop (SIGTERM). */
  flushSeconds?: number;
  /** CPU each shard asks for (Kubernetes quantity). */
  cpu?: string;
  memory?: string;
  /** `--env` variables of every shard: kept in the run's Secret, never in the Job. */
  secretEnv?: Record<string, string>;
}

export const CONTAINER_NAME = 'loadproof';
const PLAN_MOUNT = '/plan';
/** A ConfigMap holds at most 1 MiB. */
export const CONFIG_MAP_LIMIT_BYTES = 1024 * 1024;

/** A DNS-1123 name for the run's objects. */
export function jobName(runId: string): string {
  const name = `loadproof-${runId}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 52)
    .replace(/-+$/, '');
  return name;
}

/** The Secret holding a run's `--env` values. */
export function envSecretName(runId: string): string {
  return `${jobName(runId)}-env`;
}

/** A ConfigMap key for a file path: keys cannot hold "/", so the volume maps them back. */
function keyOf(path: string, index: number): string {
  return `f${index}-${path.replace(/[^-._a-zA-Z0-9]+/g, '_')}`.slice(0, 253);
}

export function renderJobManifests(o: JobManifestOptions): Record<string, unknown>[] {
  const name = jobName(o.runId);
  const labels = { 'app.kubernetes.io/name': 'loadproof', 'loadproof.dev/run-id': o.runId };
  const files = [o.plan, ...o.files];
  const items = files.map((f, i) => ({ key: keyOf(f.path, i), path: f.path }));
  const data = Object.fromEntries(files.map((f, i) => [keyOf(f.path, i), f.content]));
  const size = files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
  if (size > CONFIG_MAP_LIMIT_BYTES)
    throw new RangeError(
      `the plan and its files take ${size} bytes; a ConfigMap holds at most ${CONFIG_MAP_LIMIT_BYTES} (build them into the image instead)`,
    );
  const flushSeconds = o.flushSeconds ?? 30;
  const leadSeconds = Math.max(0, Math.ceil((Date.parse(o.startAt) - Date.now()) / 1000));
  const deadlineSeconds = leadSeconds + Math.ceil(o.planDurationMs / 1000) + flushSeconds + 300;

  const secretEnv = Object.entries(o.secretEnv ?? {});
  const secretName = envSecretName(o.runId);
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secretName, namespace: o.namespace, labels },
    type: 'Opaque',
    stringData: Object.fromEntries(secretEnv),
  };
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: o.namespace, labels },
    data,
  };
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: o.namespace, labels },
    spec: {
      completionMode: 'Indexed',
      completions: o.shards,
      parallelism: o.shards,
      backoffLimitPerIndex: 0,
      maxFailedIndexes: 0,
      activeDeadlineSeconds: deadlineSeconds,
      podFailurePolicy: {
        rules: [
          // A shard that fails (any exit but 0) is not re-run: its load would come twice.
          {
            action: 'FailJob',
            onExitCodes: { containerName: CONTAINER_NAME, operator: 'NotIn', values: [0] },
          },
          // Nor is one evicted or preempted.
          { action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      },
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: flushSeconds,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    topologyKey: 'kubernetes.io/hostname',
                    labelSelector: { matchLabels: { 'loadproof.dev/run-id': o.runId } },
                  },
                },
              ],
            },
          },
          volumes: [{ name: 'plan', configMap: { name, items } }],
          containers: [
            {
              name: CONTAINER_NAME,
              image: o.image,
              args: [
                'run',
                kubernetesLiteral(`${PLAN_MOUNT}/${o.plan.path}`),
                '--shard',
                `$(JOB_COMPLETION_INDEX)/${o.shards}`,
                '--start-at',
                kubernetesLiteral(o.startAt),
                '--run-id',
                kubernetesLiteral(o.runId),
                '--results-to',
                'stdout',
                '--out',
                '/tmp/loadproof',
              ],
              ...(secretEnv.length
                ? {
                    env: secretEnv.map(([key]) => ({
                      name: key,
                      valueFrom: { secretKeyRef: { name: secretName, key } },
                    })),
                  }
                : {}),
              workingDir: PLAN_MOUNT,
              volumeMounts: [{ name: 'plan', mountPath: PLAN_MOUNT, readOnly: true }],
              resources: {
                requests: { cpu: o.cpu ?? '1', memory: o.memory ?? '512Mi' },
                limits: { memory: o.memory ?? '512Mi' },
              },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: false },
            },
          ],
        },
      },
    },
  };
  return secretEnv.length ? [secret, configMap, job] : [configMap, job];
}

/**
 * Rules the API schema cannot express, as the API server enforces them: a per-index backoff
 * limit needs an Indexed Job, and a pod failure policy needs pods that are never restarted.
 */
export function jobRuleProblems(job: Record<string, any>): string[] {
  const problems: string[] = [];
  const spec = job.spec ?? {};
  const restart = spec.template?.spec?.restartPolicy;
  if (spec.backoffLimitPerIndex !== undefined && spec.completionMode !== 'Indexed')
    problems.push('spec.backoffLimitPerIndex needs spec.completionMode: Indexed');
  if (spec.podFailurePolicy !== undefined && restart !== 'Never')
    problems.push('spec.podFailurePolicy needs spec.template.spec.restartPolicy: Never');
  if (spec.completionMode === 'Indexed' && !(spec.completions >= 1))
    problems.push('spec.completions must be set for an Indexed Job');
  if (spec.parallelism !== spec.completions)
    problems.push('spec.parallelism must equal spec.completions: every shard runs at once');
  return problems;
}
