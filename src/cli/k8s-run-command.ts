/**
 * `loadproof k8s run <plan> --shards N --image IMAGE`: the whole sharded run on Kubernetes with
 * kubectl. Renders the manifests as `loadproof k8s` does with a start `--lead` ahead, applies
 * them, waits for the Job to finish (bounded by its active deadline and a margin), then collects,
 * merges and judges the shards as `loadproof k8s collect` does.
 */
import { join } from 'node:path';
import { KubectlError, UsageError } from '../errors.ts';
import { envSecretName } from '../k8s/job-manifests.ts';
import { findKubectl, type Kubectl, kubectlAt } from '../k8s/kubectl.ts';
import { waitForJob } from '../k8s/wait-for-job.ts';
import { assertWritableFolder } from '../outputs/write-results.ts';
import { parseDurationMs } from '../plan/duration.ts';
import { collectAndJudge } from './k8s-collect-command.ts';
import { type JobFlags, prepareJob } from './k8s-command.ts';
import { shellCommand } from './shell-words.ts';

export interface K8sRunFlags extends JobFlags {
  lead?: string;
  out?: string;
  kubectl?: string;
  poll?: string;
  quiet?: boolean;
}

/** Waiting goes on this long past the Job's active deadline before collecting what is there. */
const WAIT_MARGIN_MS = 60_000;

function durationFlag(flag: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const ms = parseDurationMs(text);
  if (ms === undefined || ms < min)
    throw new UsageError(
      `${flag}: expected a duration such as 30s${min > 0 ? ' (more than 0)' : ''}, got "${text}"`,
    );
  return ms;
}

/**
 * Once the Job has finished, no pod will read the Secret again: it is deleted so the `--env`
 * values do not outlive the run in the cluster. A Job still running keeps it (a pending pod reads
 * it as it starts); a failed delete is reported and does not change the verdict.
 */
async function deleteEnvSecret(
  kubectl: Kubectl,
  runId: string,
  namespace: string,
  log: (line: string) => void,
) {
  const secret = envSecretName(runId);
  try {
    await kubectl.run(['delete', 'secret', secret, '--namespace', namespace, '--ignore-not-found']);
    log(`secret ${secret} deleted (the Job has finished)`);
  } catch (e) {
    if (!(e instanceof KubectlError)) throw e;
    log(`secret ${secret} could not be deleted, delete it yourself: ${e.message}`);
  }
}

export async function k8sRunCommand(planPath: string, flags: K8sRunFlags): Promise<number> {
  const leadMs = durationFlag('--lead', flags.lead, 30_000, 0);
  const pollMs = durationFlag('--poll', flags.poll, 2000, 1);
  const log = (line: string) => {
    if (!flags.quiet) process.stderr.write(`${line}\n`);
  };
  const kubectl = kubectlAt(findKubectl(flags.kubectl));
  const prepared = await prepareJob(planPath, flags);
  const startAtMs = Date.now() + leadMs;
  const { runId, name, manifests, yaml, secretYaml } = prepared.render(startAtMs);
  const out = flags.out ?? join('results', name);
  assertWritableFolder(out);

  log(
    `applying job ${name} in namespace ${prepared.namespace}: ${prepared.shards} shard(s) of ${prepared.planName}, starting at ${new Date(startAtMs).toISOString()}`,
  );
  // The Secret first: the Job's pods read their --env values from it as they start.
  const applied = await kubectl.run(
    ['apply', '-f', '-'],
    secretYaml === undefined ? yaml : `${secretYaml}---\n${yaml}`,
  );
  for (const line of applied.trim().split('\n')) if (line) log(line);

  const job = manifests.find((m) => m.kind === 'Job') as { spec: { activeDeadlineSeconds: number } };
  const timeoutMs = job.spec.activeDeadlineSeconds * 1000 + WAIT_MARGIN_MS;
  try {
    const { state, timedOut } = await waitForJob(kubectl, name, {
      namespace: prepared.namespace,
      timeoutMs,
      pollMs,
      onProgress: log,
    });
    if (timedOut)
      log(
        `job ${name} did not finish within ${Math.round(timeoutMs / 1000)}s; collecting what its pods wrote`,
      );
    else if (secretYaml !== undefined) await deleteEnvSecret(kubectl, runId, prepared.namespace, log);
    return await collectAndJudge(kubectl, state, {
      namespace: prepared.namespace,
      out,
      plan: planPath,
      ...(flags.quiet ? { quiet: true } : {}),
      log,
    });
  } catch (e) {
    if (!(e instanceof KubectlError)) throw e;
    throw new KubectlError(
      `${e.message}\nthe Job ${name} was applied and runs on; collect it later with: ${shellCommand(['loadproof', 'k8s', 'collect', name, '--namespace', prepared.namespace, '--plan', planPath])}`,
    );
  }
}
