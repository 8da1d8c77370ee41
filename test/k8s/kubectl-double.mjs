#!/usr/bin/env node
/**
 * A test double of kubectl for `loadproof k8s run` and `k8s collect`, with no cluster: it knows
 * only the verbs they use. `apply -f -` stores the Secret, the ConfigMap and the Indexed Job and
 * starts each completion index's pod as a local process (the container's env from its plain
 * values and its Secret's keys, its args expanded as Kubernetes expands them, the ConfigMap's
 * files at the mount path, `loadproof` as bin/loadproof.js); `get job -o json` and
 * `get pods -o json` report them as the Job controller would (a failed pod fails the Job and stops
 * the others, as the podFailurePolicy says); `logs` serves a pod's stdout; `delete secret` removes
 * a stored Secret.
 *
 * Its state lives in KUBECTL_DOUBLE_STATE (a folder). Knobs for tests:
 *   KUBECTL_DOUBLE_EXTRA_ARGS  JSON array of arguments added to every pod's command
 *   KUBECTL_DOUBLE_KILL_INDEX  the index whose process is killed (SIGKILL) once it has started,
 *                              after KUBECTL_DOUBLE_KILL_AFTER_MS (default 1000)
 *   KUBECTL_DOUBLE_FAIL        a verb (apply, get, logs) that fails as kubectl does, on stderr
 */
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { expandAsKubernetes } from './kubernetes-expansion.mjs';

const BIN = new URL('../../bin/loadproof.js', import.meta.url).pathname;
const SELF = new URL(import.meta.url).pathname;
const INDEX_KEY = 'batch.kubernetes.io/job-completion-index';

function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const state = process.env.KUBECTL_DOUBLE_STATE;
if (!state) fail('kubectl double: KUBECTL_DOUBLE_STATE is not set');

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const objectPath = (namespace, kind, name) => join(state, 'objects', namespace, `${kind}-${name}.json`);
const podName = (job, index) => `${job}-${index}-dbl00`;
const podDir = (pod) => join(state, 'pods', pod);

/** kubectl's flags in their forms: `-n x`, `--namespace x`, `--namespace=x`, `--tail=-1`. */
function parseArgs(argv) {
  const short = { n: 'namespace', o: 'output', l: 'selector', f: 'filename', c: 'container' };
  const booleans = new Set(['ignore-not-found']);
  const flags = {};
  const words = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const long = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    const one = /^-([a-z])$/.exec(arg);
    if (long && booleans.has(long[1])) flags[long[1]] = long[2] ?? 'true';
    else if (long) flags[long[1]] = long[2] ?? argv[++i];
    else if (one) flags[short[one[1]] ?? one[1]] = argv[++i];
    else words.push(arg);
  }
  return { flags, words };
}

// ---- the pod: a supervisor process per completion index ----

/** The container's env as Kubernetes gives it: values expanded in order, Secret keys as they are. */
function containerEnv(namespace, container, index) {
  const vars = { JOB_COMPLETION_INDEX: String(index) };
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    if (ref) {
      const path = objectPath(namespace, 'secret', ref.name);
      const secret = existsSync(path) ? readJson(path) : undefined;
      const value =
        secret?.stringData?.[ref.key] ??
        (secret?.data?.[ref.key] !== undefined
          ? Buffer.from(secret.data[ref.key], 'base64').toString()
          : undefined);
      if (value === undefined)
        throw new Error(`CreateContainerConfigError: secret "${ref.name}" has no key "${ref.key}"`);
      vars[e.name] = value;
    } else vars[e.name] = expandAsKubernetes(e.value ?? '', vars);
  }
  return vars;
}

function runPod(namespace, jobName, index) {
  const job = readJson(objectPath(namespace, 'job', jobName));
  const pod = podName(jobName, index);
  const dir = podDir(pod);
  const spec = job.spec.template.spec;
  const container = spec.containers[0];
  const mount = container.volumeMounts[0].mountPath;
  const root = join(state, 'roots', jobName);
  // The pod's paths on this machine: the volume's mount is the ConfigMap's files, /tmp its own.
  const local = (a) => {
    const at = [
      [mount, root],
      ['/tmp', join(dir, 'tmp')],
    ].find(([from]) => a === from || a.startsWith(`${from}/`));
    return at ? at[1] + a.slice(at[0].length) : a;
  };
  let vars;
  try {
    vars = containerEnv(namespace, container, index);
  } catch (e) {
    writeFileSync(join(dir, 'stderr'), `${e.message}\n`);
    writeFileSync(join(dir, 'log'), '');
    writeFileSync(join(dir, 'ended.json'), JSON.stringify({ exitCode: 1, at: new Date().toISOString() }));
    return;
  }
  const args = [
    ...container.args.map((a) => local(expandAsKubernetes(a, vars))),
    ...JSON.parse(process.env.KUBECTL_DOUBLE_EXTRA_ARGS ?? '[]'),
  ];
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: container.workingDir === mount ? root : dir,
    env: { ...process.env, ...vars },
    stdio: ['ignore', openSync(join(dir, 'log'), 'w'), openSync(join(dir, 'stderr'), 'w')],
  });
  writeFileSync(join(dir, 'pid'), String(process.pid));
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  if (process.env.KUBECTL_DOUBLE_KILL_INDEX === String(index))
    setTimeout(() => child.kill('SIGKILL'), Number(process.env.KUBECTL_DOUBLE_KILL_AFTER_MS ?? 1000));
  child.on('exit', (code, signal) => {
    const exitCode = code ?? 128 + (signal === 'SIGKILL' ? 9 : 15);
    writeFileSync(join(dir, 'ended.json'), JSON.stringify({ exitCode, at: new Date().toISOString() }));
    process.exit(0);
  });
}

// ---- the verbs ----

function apply(flags) {
  if (flags.filename !== '-') fail('kubectl double: only `apply -f -` is known');
  const docs = parseAllDocuments(readFileSync(0, 'utf8')).map((d) => d.toJS());
  const said = [];
  for (const doc of docs) {
    const namespace = doc.metadata.namespace ?? flags.namespace ?? 'default';
    const kind = doc.kind.toLowerCase();
    const path = objectPath(namespace, kind, doc.metadata.name);
    if (kind === 'job' && existsSync(path))
      fail(`The Job "${doc.metadata.name}" is invalid: spec.template: Invalid value: field is immutable`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify({ ...doc, metadata: { ...doc.metadata, namespace } }));
    said.push(`${kind === 'job' ? 'job.batch' : kind}/${doc.metadata.name} created`);
    if (kind === 'job') {
      const secrets = (doc.spec.template.spec.containers[0].env ?? []).map(
        (e) => e.valueFrom?.secretKeyRef?.name,
      );
      for (const name of secrets.filter(Boolean))
        if (!existsSync(objectPath(namespace, 'secret', name)))
          fail(`kubectl double: the Job refers to secret "${name}", which was not applied before it`);
    }
  }
  for (const job of docs.filter((d) => d.kind === 'Job')) startJob(job, docs);
  process.stdout.write(`${said.join('\n')}\n`);
}

function startJob(job, docs) {
  const namespace = job.metadata.namespace ?? 'default';
  const volume = job.spec.template.spec.volumes[0].configMap;
  const configMap = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === volume.name);
  const root = join(state, 'roots', job.metadata.name);
  for (const item of volume.items) {
    mkdirSync(dirname(join(root, item.path)), { recursive: true });
    writeFileSync(join(root, item.path), configMap.data[item.key]);
  }
  for (let index = 0; index < job.spec.completions; index++) {
    const dir = podDir(podName(job.metadata.name, index));
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    writeFileSync(join(dir, 'created'), new Date().toISOString());
    spawn(process.execPath, [SELF, '__pod', namespace, job.metadata.name, String(index)], {
      detached: true,
      stdio: 'ignore',
      env: process.env,
    }).unref();
  }
}

function podsOf(job) {
  return Array.from({ length: job.spec.completions }, (_, index) => {
    const name = podName(job.metadata.name, index);
    const dir = podDir(name);
    const ended = existsSync(join(dir, 'ended.json')) ? readJson(join(dir, 'ended.json')) : undefined;
    return { name, index, dir, ended };
  });
}

function jobStatus(job) {
  const pods = podsOf(job);
  const failed = pods
    .filter((p) => p.ended && p.ended.exitCode !== 0)
    .sort((a, b) => a.ended.at.localeCompare(b.ended.at));
  const running = pods.filter((p) => !p.ended);
  const status = {
    active: running.length,
    succeeded: pods.filter((p) => p.ended?.exitCode === 0).length,
    failed: failed.length,
    conditions: [],
  };
  const first = failed[0];
  if (first) {
    // FailJob: the other pods are stopped; the Job is Failed once they have ended.
    for (const p of running) {
      const stopped = join(p.dir, 'stopped');
      if (existsSync(stopped) || !existsSync(join(p.dir, 'pid'))) continue;
      writeFileSync(stopped, '');
      try {
        process.kill(Number(readFileSync(join(p.dir, 'pid'), 'utf8')), 'SIGTERM');
      } catch {}
    }
    status.failedIndexes = failed
      .map((p) => p.index)
      .sort((a, b) => a - b)
      .join(',');
    if (running.length === 0)
      status.conditions.push({
        type: 'Failed',
        status: 'True',
        reason: 'PodFailurePolicy',
        message: `Container loadproof for pod ${job.metadata.namespace}/${first.name} failed with exit code ${first.ended.exitCode} matching FailJob rule at index 0`,
      });
  } else if (status.succeeded === pods.length)
    status.conditions.push({ type: 'Complete', status: 'True', reason: 'CompletionsReached' });
  return status;
}

function podObject(job, pod) {
  const index = String(pod.index);
  const labels = {
    ...job.spec.template.metadata.labels,
    'job-name': job.metadata.name,
    'batch.kubernetes.io/job-name': job.metadata.name,
    [INDEX_KEY]: index,
  };
  const exitCode = pod.ended?.exitCode;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      namespace: job.metadata.namespace,
      labels,
      annotations: { [INDEX_KEY]: index },
      creationTimestamp: readFileSync(join(pod.dir, 'created'), 'utf8'),
    },
    status: {
      phase: pod.ended ? (exitCode === 0 ? 'Succeeded' : 'Failed') : 'Running',
      containerStatuses: [
        {
          name: 'loadproof',
          state: pod.ended
            ? { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' } }
            : { running: { startedAt: readFileSync(join(pod.dir, 'created'), 'utf8') } },
        },
      ],
    },
  };
}

function get(words, flags) {
  if (flags.output !== 'json') fail('kubectl double: only `get ... -o json` is known');
  const namespace = flags.namespace ?? 'default';
  const [kind, name] = words;
  if (kind === 'job') {
    const path = objectPath(namespace, 'job', name);
    if (!existsSync(path)) fail(`Error from server (NotFound): jobs.batch "${name}" not found`);
    const job = readJson(path);
    process.stdout.write(JSON.stringify({ ...job, status: jobStatus(job) }));
    return;
  }
  if (kind === 'pods') {
    const jobName = /^job-name=(.+)$/.exec(flags.selector ?? '')?.[1];
    if (!jobName) fail('kubectl double: only `get pods -l job-name=NAME` is known');
    const path = objectPath(namespace, 'job', jobName);
    const job = existsSync(path) ? readJson(path) : undefined;
    const items = job ? podsOf(job).map((p) => podObject(job, p)) : [];
    process.stdout.write(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    return;
  }
  fail(`kubectl double: get ${kind} is not known`);
}

function logs(words) {
  const [pod] = words;
  const path = join(podDir(pod ?? ''), 'log');
  if (!pod || !existsSync(path)) fail(`error: pods "${pod}" not found`);
  process.stdout.write(readFileSync(path));
}

function remove(words, flags) {
  const [kind, name] = words;
  if (kind !== 'secret' || !name) fail('kubectl double: only `delete secret NAME` is known');
  const path = objectPath(flags.namespace ?? 'default', 'secret', name);
  if (existsSync(path)) {
    rmSync(path);
    process.stdout.write(`secret "${name}" deleted\n`);
  } else if (flags['ignore-not-found'] !== 'true')
    fail(`Error from server (NotFound): secrets "${name}" not found`);
}

const argv = process.argv.slice(2);
if (argv[0] === '__pod') runPod(argv[1], argv[2], Number(argv[3]));
else {
  mkdirSync(state, { recursive: true });
  appendFileSync(join(state, 'calls.log'), `${JSON.stringify(argv)}\n`);
  const { flags, words } = parseArgs(argv);
  const verb = words.shift();
  if (process.env.KUBECTL_DOUBLE_FAIL === verb)
    fail(`error: You must be logged in to the server (the double was told to fail "${verb}")`);
  if (verb === 'apply') apply(flags);
  else if (verb === 'get') get(words, flags);
  else if (verb === 'logs') logs(words);
  else if (verb === 'delete') remove(words, flags);
  else fail(`kubectl double: "${verb}" is not known`);
}
