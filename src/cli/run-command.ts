/**
 * `loadproof run <plan>`: load and validate the plan, run it, print the summary, write
 * results.json, exit 0 for GO and 3 for NO-GO.
 */
import { basename, dirname, resolve } from 'node:path';
import { EXIT, UsageError } from '../errors.ts';
import { renderConsoleSummary } from '../outputs/console-summary.ts';
import { wantsColor } from '../outputs/format.ts';
import type { LiveOutput } from '../outputs/live-output.ts';
import { closeOutputs } from '../outputs/live-outputs.ts';
import { progressDisplay } from '../outputs/progress.ts';
import { writeSummaryFiles } from '../outputs/summary-files.ts';
import { markRunUnfinished } from '../outputs/unfinished-run-files.ts';
import { assertWritableFolder, timestampFolder, writeResultsFile } from '../outputs/write-results.ts';
import { parseDurationMs } from '../plan/duration.ts';
import type { PlanFileOptions } from '../plan/load.ts';
import type { Overrides } from '../plan/overrides.ts';
import { writeReports } from '../report/write.ts';
import { frameResults } from '../results/results-frame.ts';
import { unfinishedRun } from '../results/unfinished-run.ts';
import { withHookFailure } from '../run/hook-failure.ts';
import { initTimeoutMs } from '../run/init-timeout.ts';
import { runPlan } from '../run/run.ts';
import type { ShardIdentity } from '../run/shard-recorder.ts';
import { type HostedPlan, loadPlanInHost } from '../run/user-code-host.ts';
import { VERSION } from '../version.ts';
import { outputFlags } from './run-outputs.ts';
import { shardExitCode, shardProblems } from './shard-exit.ts';
import { parseSegmentFlags, parseStartAt, planHash, runIdOf, type ShardFlags } from './shard-flags.ts';

/** Signals that stop a run: gracefully the first time, at once the second. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface RunFlags extends ShardFlags {
  /** The results folder, and `KIND=ARGUMENT` live outputs (output-registry.ts). */
  out?: string[];
  workers?: string;
  duration?: string;
  rate?: string;
  vus?: string;
  env?: string[];
  quiet?: boolean;
  /** Same as `--out prometheus=HOST:PORT`. */
  prometheus?: string;
  /** Same as `--out otlp=URL`; `otlpInterval`: how often an OTLP output pushes. */
  otlp?: string;
  otlpInterval?: string;
  /** Also write results.json to this file. */
  summaryExport?: string;
  /** How long /metrics stays up after the run (a duration; default 15s). */
  prometheusLinger?: string;
  /** Artillery scripts: the config.environments entry to use. */
  environment?: string;
  /** `stdout`: also print results.json as one framed line at the end (for a shard's log). */
  resultsTo?: string;
  /** Accept any TLS certificate (with the plan's http.insecureSkipTLSVerify, either one is enough). */
  insecure?: boolean;
  /** k6 scripts: remote modules from the module cache only. */
  offline?: boolean;
}

function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: expected a positive integer, got "${v}"`);
  return n;
}

export function parseRunFlags(flags: RunFlags): {
  overrides: Overrides;
  workers?: number;
  env: Record<string, string>;
} {
  const overrides: Overrides = {};
  if (flags.duration !== undefined) {
    const d = parseDurationMs(flags.duration);
    if (d === undefined || d <= 0)
      throw new UsageError(`--duration: expected a duration like 30s or 5m, got "${flags.duration}"`);
    overrides.durationMs = d;
  }
  if (flags.rate !== undefined) {
    const r = Number(flags.rate);
    if (!Number.isFinite(r) || r <= 0)
      throw new UsageError(`--rate: expected a positive number, got "${flags.rate}"`);
    overrides.rate = r;
  }
  const vus = positiveInt('--vus', flags.vus);
  if (vus !== undefined) overrides.vus = vus;
  if (flags.insecure) overrides.insecure = true;
  const env: Record<string, string> = {};
  for (const kv of flags.env ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env: expected KEY=VALUE, got "${kv}"`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const workers = positiveInt('--workers', flags.workers);
  return { overrides, ...(workers !== undefined ? { workers } : {}), env };
}

export async function runCommand(planPath: string, flags: RunFlags): Promise<number> {
  // A signal while the plan loads (which can take seconds) stops at once: nothing was sent yet.
  const beforeLoad = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nstopped (${signal}) before any load was sent\n`);
    process.exit(EXIT.noGo);
  };
  for (const s of STOP_SIGNALS) process.on(s, beforeLoad);
  try {
    return await runPlanFile(planPath, flags, () => {
      for (const s of STOP_SIGNALS) process.off(s, beforeLoad);
    });
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, beforeLoad);
  }
}

async function runPlanFile(planPath: string, flags: RunFlags, handOverSignals: () => void): Promise<number> {
  const { overrides, workers, env } = parseRunFlags(flags);
  const segment = parseSegmentFlags(flags);
  const startAtMs = flags.startAt !== undefined ? parseStartAt(flags.startAt) : undefined;
  if (flags.resultsTo !== undefined && flags.resultsTo !== 'stdout')
    throw new UsageError(`--results-to: the only place is "stdout", got "${flags.resultsTo}"`);
  const planOptions: PlanFileOptions = {
    ...(flags.environment !== undefined ? { environment: flags.environment } : {}),
    ...(Object.keys(env).length ? { env } : {}),
    ...(flags.offline ? { offline: true } : {}),
  };
  // --env is seen where plans read their configuration: process.env while the plan module is
  // evaluated (`target: process.env.TARGET ?? ...`), in this thread and in every worker.
  Object.assign(process.env, env);
  // The plan's code runs in a thread of its own (the user-code host), never on this one.
  const loaded = await loadPlanInHost(planPath, planOptions, { initTimeoutMs: initTimeoutMs(process.env) });
  try {
    const parsed = { overrides, workers, env, segment, startAtMs, planOptions };
    return await runLoadedPlan(loaded, flags, parsed, handOverSignals);
  } finally {
    await loaded.close();
  }
}

type ParsedFlags = ReturnType<typeof parseRunFlags> & {
  segment: ReturnType<typeof parseSegmentFlags>;
  startAtMs: number | undefined;
  planOptions: PlanFileOptions;
};

async function runLoadedPlan(
  loaded: HostedPlan,
  flags: RunFlags,
  parsed: ParsedFlags,
  handOverSignals: () => void,
): Promise<number> {
  const { overrides, segment, startAtMs } = parsed;
  let shard: ShardIdentity | undefined;
  if (segment) {
    const hashedOptions = { overrides: { ...overrides }, environment: flags.environment ?? null };
    const hash = planHash(loaded.file, hashedOptions);
    shard = { segment, planHash: hash, hashedOptions, runId: runIdOf(flags, hash, startAtMs) };
  }
  if (!flags.quiet) for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
  const asked = outputFlags(flags);
  const out = resolve(asked.dir ?? timestampFolder());
  assertWritableFolder(out);
  if (flags.summaryExport) assertWritableFolder(dirname(resolve(flags.summaryExport)), '--summary-export');
  const outputs = await asked.create();
  try {
    return await runWithOutputs(loaded, flags, { ...parsed, out, outputs, shard }, handOverSignals);
  } finally {
    await closeOutputs(outputs, AbortSignal.abort());
  }
}

async function runWithOutputs(
  loaded: HostedPlan,
  flags: RunFlags,
  parsed: ParsedFlags & { out: string; outputs: LiveOutput[]; shard: ShardIdentity | undefined },
  handOverSignals: () => void,
): Promise<number> {
  const { overrides, workers, env, startAtMs, planOptions, out, outputs, shard } = parsed;
  // SIGINT, SIGTERM and SIGHUP stop gracefully; a second one stops at once. Either way what was
  // collected is written, marked interrupted.
  const stop = new AbortController();
  const force = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stop.signal.aborted) {
      process.stderr.write(
        `\nstopping (${signal}): letting in-flight requests finish (a second signal stops at once)\n`,
      );
      stop.abort(signal);
    } else if (!force.signal.aborted) {
      process.stderr.write(`\nstopping at once (${signal}): writing what was collected\n`);
      force.abort(signal);
    }
  };
  handOverSignals();
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  // Everything is checked: from now on the files this run writes at its end say it has not finished.
  const summaryExport = flags.summaryExport ? resolve(flags.summaryExport) : undefined;
  const marker = unfinishedRun({
    version: VERSION,
    startedAt: new Date(),
    pid: process.pid,
    planFile: loaded.file,
    ...(shard ? { shard: { runId: shard.runId, segment: shard.segment.toString() } } : {}),
  });
  markRunUnfinished(marker, out, summaryExport);
  const progress = progressDisplay(process.stderr, flags.quiet === true);
  let results: Awaited<ReturnType<typeof runPlan>>;
  const hookFailures: string[] = [];
  try {
    results = await runPlan({
      plan: loaded.plan,
      file: loaded.file,
      baseDir: loaded.baseDir,
      ...(workers !== undefined ? { workers } : {}),
      overrides,
      env,
      // The plan was read once already: its remote modules are in the cache the workers read.
      planOptions: { ...planOptions, modulesCached: true },
      ...(shard ? { shard } : {}),
      ...(startAtMs !== undefined ? { startAtMs } : {}),
      outputs,
      signal: stop.signal,
      forceSignal: force.signal,
      onHookFailure: (m) => hookFailures.push(m),
      onProgress: (p) => progress.update(p),
      onLog: (m) => {
        progress.done();
        if (!flags.quiet) process.stderr.write(`${m}\n`);
      },
    });
  } finally {
    progress.done();
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
  await loaded.endIfBusy('a hook of the plan was still running when the run ended');
  // handleSummary() runs before results.json is written: a hook that fails makes it NO-GO there too.
  const hook = loaded.plan.handleSummary;
  const warn = (m: string) => process.stderr.write(`warning: ${m}\n`);
  const summary = hook ? await writeSummaryFiles(hook, results, warn) : {};
  if (summary.failure) {
    hookFailures.push(summary.failure);
    results = withHookFailure(results, summary.failure);
  }
  const custom = summary.stdout;
  const path = writeResultsFile(out, results);
  const reports = writeReports(out, [results]);
  if (summaryExport) writeResultsFile(dirname(summaryExport), results, basename(summaryExport));
  if (!flags.quiet) {
    const summary = custom ?? `${renderConsoleSummary(results, { color: wantsColor(process.stdout) })}\n`;
    process.stdout.write(`${summary}\nresults: ${path}\nreports: ${reports.join(', ')}\n`);
  }
  if (flags.resultsTo === 'stdout') process.stdout.write(`${frameResults(results)}\n`);
  // An output that keeps serving after the run (/metrics for --prometheus-linger) does so now
  // that the record is written; a signal ends the wait.
  await untilStopSignal((signal) => closeOutputs(outputs, signal));
  // A shard is judged only at the merge; one that did not run its part cleanly exits non-zero.
  if (results.verdict.status === 'SHARD') {
    for (const p of shardProblems(results, hookFailures)) process.stderr.write(`shard not clean: ${p}\n`);
    return shardExitCode(results, hookFailures);
  }
  return results.verdict.status === 'GO' ? EXIT.go : EXIT.noGo;
}

/** Runs `work` with a signal that a stop signal (SIGINT, SIGTERM, SIGHUP) aborts. */
async function untilStopSignal(work: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const s of STOP_SIGNALS) process.once(s, onSignal);
  try {
    await work(stop.signal);
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
}
