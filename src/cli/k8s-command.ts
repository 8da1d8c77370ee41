/**
 * `loadproof k8s <plan> --shards N --image IMAGE`: writes the manifests of a sharded run on
 * Kubernetes (a ConfigMap with the plan and its data files, an Indexed Job of N shards; see
 * k8s/job-manifests.ts) and says how to apply them, collect the shards' logs and merge them.
 * `--env` values go in a Secret, written to a file of its own that only its owner can read.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { EXIT, UsageError } from '../errors.ts';
import { jobName, type PlanFileForCluster, renderJobManifests } from '../k8s/job-manifests.ts';
import { writePrivateFile } from '../outputs/write-private-file.ts';
import { parseDurationMs } from '../plan/duration.ts';
import { initTimeoutMs } from '../run/init-timeout.ts';
import { plannedEndMs } from '../run/planned-time.ts';
import { loadPlanInHost } from '../run/user-code-host.ts';
import { parseStartAt, startStamp } from './shard-flags.ts';
import { shellCommand } from './shell-words.ts';

export interface K8sFlags extends JobFlags {
  out?: string;
  startAt?: string;
  startIn?: string;
}

/** The files a plan reads besides itself, relative to its folder. */
function planFiles(planFile: string, data: Record<string, unknown>): string[] {
  const paths: string[] = [];
  for (const d of Object.values(data))
    if (d && typeof d === 'object' && !Array.isArray(d) && typeof (d as { file?: unknown }).file === 'string')
      paths.push((d as { file: string }).file);
  if (/\.ya?ml$/i.test(planFile)) {
    const script = parseYaml(readFileSync(planFile, 'utf8')) as {
      config?: { payload?: unknown; processor?: unknown };
    };
    const payload = script?.config?.payload;
    for (const p of Array.isArray(payload) ? payload : payload ? [payload] : [])
      if (p && typeof (p as { path?: unknown }).path === 'string') paths.push((p as { path: string }).path);
    if (typeof script?.config?.processor === 'string') paths.push(script.config.processor);
  }
  return paths;
}

/** What the manifests need from the flags, checked before the plan loads. */
export interface JobFlags {
  shards?: string;
  image?: string;
  namespace?: string;
  cpu?: string;
  memory?: string;
  env?: string[];
  /** k6 scripts: remote modules from the module cache only, when the plan is read here. */
  offline?: boolean;
}

export interface PreparedJob {
  planName: string;
  shards: number;
  namespace: string;
  /** The manifests of a run whose shards start at `startAtMs`, named after that start. */
  render(startAtMs: number): {
    runId: string;
    name: string;
    manifests: Record<string, unknown>[];
    /** The ConfigMap and the Job, which hold no `--env` value. */
    yaml: string;
    /** The Secret with the `--env` values, when there are any. */
    secretYaml?: string;
  };
}

/** A name both a container's environment and a Secret's keys take. */
const ENV_NAME = /^[A-Za-z_][-._A-Za-z0-9]*$/;

/** `--env KEY=VALUE` flags as variables (the last of a name wins, as for `loadproof run`). */
export function envFlags(given: readonly string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of given ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env: expected KEY=VALUE, got "${kv.slice(0, 40)}"`);
    const name = kv.slice(0, eq);
    if (!ENV_NAME.test(name))
      throw new UsageError(
        `--env: "${name}" is not a variable name a pod takes (letters, digits, "_", "-", "."; not starting with a digit)`,
      );
    env[name] = kv.slice(eq + 1);
  }
  return env;
}

export function checkJobFlags(flags: JobFlags): {
  shards: number;
  image: string;
  namespace: string;
  env: Record<string, string>;
} {
  if (flags.shards === undefined)
    throw new UsageError('--shards <n> is required: how many shards share the load');
  if (flags.image === undefined)
    throw new UsageError('--image <image> is required: the image with loadproof installed');
  const shards = Number(flags.shards);
  if (!Number.isInteger(shards) || shards < 1 || shards > 1000)
    throw new UsageError(`--shards: expected a whole number from 1 to 1000, got "${flags.shards}"`);
  if (!flags.image?.trim())
    throw new UsageError('--image: the container image with loadproof installed is required');
  return {
    shards,
    image: flags.image,
    namespace: checkNamespace(flags.namespace),
    env: envFlags(flags.env),
  };
}

export function checkNamespace(given: string | undefined): string {
  const namespace = given ?? 'default';
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
    throw new UsageError(`--namespace: not a Kubernetes namespace name: "${namespace}"`);
  return namespace;
}

/** Loads the plan and reads its files once; the start instant is chosen later, at `render`. */
export async function prepareJob(planPath: string, flags: JobFlags): Promise<PreparedJob> {
  const { shards, image, namespace, env } = checkJobFlags(flags);
  // Read in a thread of its own: `k8s run` judges in this process, where no plan code may run.
  const loaded = await loadPlanInHost(planPath, flags.offline ? { offline: true } : {}, {
    initTimeoutMs: initTimeoutMs(process.env),
  });
  await loaded.close();
  const folder = dirname(loaded.file);
  const files: PlanFileForCluster[] = planFiles(loaded.file, loaded.plan.data).map((p) => {
    const abs = resolve(folder, p);
    const rel = relative(folder, abs);
    if (rel.startsWith('..') || isAbsolute(rel))
      throw new UsageError(`${p}: the plan's files must be in its folder to travel in a ConfigMap`);
    return { path: rel, content: readFileSync(abs, 'utf8') };
  });
  const plan = { path: basename(loaded.file), content: readFileSync(loaded.file, 'utf8') };
  const planDurationMs = plannedEndMs(loaded.plan);
  return {
    planName: loaded.plan.name,
    shards,
    namespace,
    render(startAtMs) {
      const runId = `${startStamp(startAtMs).toLowerCase()}-${loaded.plan.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .slice(0, 20)}`.replace(/-+$/, '');
      const manifests = renderJobManifests({
        plan,
        files,
        shards,
        image,
        namespace,
        runId,
        startAt: new Date(startAtMs).toISOString(),
        planDurationMs,
        ...(flags.cpu ? { cpu: flags.cpu } : {}),
        ...(flags.memory ? { memory: flags.memory } : {}),
        ...(Object.keys(env).length ? { secretEnv: env } : {}),
      });
      const secret = manifests.find((m) => m.kind === 'Secret');
      return {
        runId,
        name: jobName(runId),
        manifests,
        yaml: manifests
          .filter((m) => m !== secret)
          .map((m) => stringify(m))
          .join('---\n'),
        ...(secret ? { secretYaml: stringify(secret) } : {}),
      };
    },
  };
}

export async function k8sCommand(planPath: string, flags: K8sFlags): Promise<number> {
  const { shards, namespace } = checkJobFlags(flags);
  if (flags.startAt !== undefined && flags.startIn !== undefined)
    throw new UsageError('--start-at and --start-in both set the start: give one');
  const leadMs = flags.startIn !== undefined ? parseDurationMs(flags.startIn) : 120_000;
  if (leadMs === undefined || leadMs < 0)
    throw new UsageError(`--start-in: expected a duration such as 2m, got "${flags.startIn}"`);
  const startAtMs = flags.startAt !== undefined ? parseStartAt(flags.startAt) : Date.now() + leadMs;

  const prepared = await prepareJob(planPath, flags);
  const { runId, name, yaml, secretYaml } = prepared.render(startAtMs);
  const out = resolve(flags.out ?? '.');
  mkdirSync(out, { recursive: true });
  const file = join(out, `${name}.yaml`);
  writeFileSync(file, yaml);
  const secretFile = join(out, `${name}.secret.yaml`);
  if (secretYaml !== undefined) writePrivateFile(secretFile, secretYaml);
  const envNames = Object.keys(envFlags(flags.env));
  process.stdout.write(
    [
      `wrote ${file}: ${shards} shard(s) of ${prepared.planName}, starting at ${new Date(startAtMs).toISOString()}`,
      ...(secretYaml !== undefined
        ? [`wrote ${secretFile} (mode 0600): the Secret with the --env values (${envNames.join(', ')})`]
        : []),
      `apply ${secretYaml !== undefined ? 'them' : 'it'} before then (shards that start late count the arrivals they missed):`,
      ...(secretYaml !== undefined ? [`  ${shellCommand(['kubectl', 'apply', '-f', secretFile])}`] : []),
      `  ${shellCommand(['kubectl', 'apply', '-f', file])}`,
      `  ${shellCommand(['kubectl', 'wait', '--for=condition=complete', '--timeout=-1s', '-n', namespace, `job/${name}`])}`,
      `  ${shellCommand(['kubectl', 'logs', '-n', namespace, '-l', `loadproof.dev/run-id=${runId}`, '--tail=-1', `--max-log-requests=${Math.max(5, shards)}`])} > shards.log`,
      `  ${shellCommand(['loadproof', 'merge', 'shards.log', '--plan', planPath, '--out', 'merged'])}`,
      `(or all of it at once: ${shellCommand([
        'loadproof',
        'k8s',
        'run',
        planPath,
        '--shards',
        String(shards),
        '--image',
        flags.image as string,
        '--namespace',
        namespace,
        ...envNames.flatMap((n) => ['--env', `${n}=...`]),
      ])})`,
      '',
    ].join('\n'),
  );
  return EXIT.go;
}
