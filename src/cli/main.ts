/**
 * The `loadproof` command line. Exit codes: 0 GO, 3 NO-GO, 2 invalid input, 1 unexpected,
 * 4 INCOMPLETE (a sharded run missing a shard).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { EXIT, exitCodeOf, LoadproofError } from '../errors.ts';
import { outputKindsHelp } from '../outputs/output-registry.ts';
import { readResultsFile } from '../report/read.ts';
import { writeReports } from '../report/write.ts';
import { VERSION } from '../version.ts';
import { type CompareFlags, compareCommand } from './compare-command.ts';
import type { K8sCollectFlags } from './k8s-collect-command.ts';
import type { K8sFlags } from './k8s-command.ts';
import type { K8sRunFlags } from './k8s-run-command.ts';
import { type MergeFlags, mergeCommand } from './merge-command.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(): Command {
  const program = new Command('loadproof')
    .description(
      'Proves that a backend keeps its promises under load: latency, throughput and data integrity.\n' +
        'Exit codes: 0 GO, 3 NO-GO (a threshold or check failed), 2 invalid input, 1 unexpected failure, 4 INCOMPLETE (merge: a shard is missing).',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    // `k8s run` and `k8s collect` take flags that `k8s` also has: each command reads its own.
    .enablePositionalOptions()
    .exitOverride();

  program
    .command('run')
    .description(
      'run a plan (.ts/.js module exporting definePlan({...}), a k6 script .js, or an Artillery script .yml) and write DIR/results.json, report.html, results.md and junit.xml',
    )
    .argument('<plan>', 'plan file (.ts, .js), k6 script (.js, .mjs) or Artillery script (.yml, .yaml)')
    .addOption(
      new Option(
        '-o, --out <dir|kind=arg>',
        `folder for results.json and the reports (default: results/<timestamp>); or a live output KIND=ARG (repeatable): ${outputKindsHelp()}`,
      ).argParser(collect),
    )
    .option(
      '-w, --workers <n>',
      'worker threads that share the load (default: number of cores, less one for a target on this machine)',
    )
    .option('-d, --duration <duration>', 'run every scenario for this long (30s, 5m); stages are scaled')
    .option(
      '-r, --rate <n>',
      'iterations per second for arrival-rate scenarios (becomes constant-arrival-rate)',
    )
    .option(
      '-u, --vus <n>',
      'VUs for closed-model scenarios (ramping-vus becomes constant-vus), maxVUs for arrival-rate ones',
    )
    .addOption(
      new Option(
        '-e, --env <KEY=VALUE>',
        'variable in process.env while the plan loads, in vu.env and setup, and for {{ $env.KEY }} in Artillery scripts (repeatable)',
      ).argParser(collect),
    )
    .option(
      '--prometheus <host:port>',
      'the same as --out prometheus=HOST:PORT: serve live metrics for Prometheus at http://HOST:PORT/metrics during the run',
    )
    .option(
      '--otlp <url>',
      'the same as --out otlp=URL: push metrics to an OpenTelemetry collector over OTLP/HTTP JSON (http://HOST:4318; /v1/metrics is added when the URL has no path), every --otlp-interval and at the end',
    )
    .option('--otlp-interval <duration>', 'with an otlp output: how often to push (default 10s)')
    .option('--summary-export <file>', 'also write results.json to this file')
    .option(
      '--prometheus-linger <duration>',
      'with a prometheus output: how long /metrics stays up after the run, serving the last figures (default 15s)',
    )
    .option(
      '--insecure',
      'accept any TLS certificate (self-signed, expired, another host name), as http.insecureSkipTLSVerify: true does',
    )
    .option('--environment <name>', 'Artillery scripts: use this entry of config.environments')
    .option(
      '--offline',
      'k6 scripts: remote modules (https://...) from the module cache only, never fetched ($LOADPROOF_MODULE_CACHE, default ~/.cache/loadproof/modules)',
    )
    .option(
      '--shard <i/N>',
      'run shard i (from 0) of N equal shards of the plan; judge them together with `loadproof merge`',
    )
    .option(
      '--segment <a:b>',
      'run the part a:b of the plan (fractions: 1/4:1/2), for machines of unequal size',
    )
    .option('--segments <list>', 'with --segment: the whole sequence every shard was given (0,1/4,1)')
    .option(
      '--start-at <time>',
      'start the load at this instant (ISO time or epoch ms), after loading the plan and starting the workers; shards started together agree on it',
    )
    .option(
      '--run-id <id>',
      "names the run a shard belongs to (default: from --start-at and the plan's hash)",
    )
    .option(
      '--results-to <stdout>',
      'also print results.json as one framed, compressed line at the end, for a log',
    )
    .option('-q, --quiet', 'print nothing; only write results.json and set the exit code')
    .action(async (plan: string, flags) => {
      // Loaded only here: the engine and its HTTP client are most of the CLI's start-up, which
      // the other commands (merge above all) need not pay.
      const { runCommand } = await import('./run-command.ts');
      process.exitCode = await runCommand(plan, flags);
    });

  program
    .command('merge')
    .description(
      'judge the shards of one run as that run: add their results up losslessly, evaluate the thresholds once and write results.json and the reports (exit 4 INCOMPLETE when a shard is missing)',
    )
    .argument(
      '<results...>',
      "each shard's results.json, or a log with its framed results line (--results-to stdout)",
    )
    .requiredOption('-o, --out <dir>', 'folder for the merged results.json and reports')
    .option(
      '--plan <file>',
      "the plan the shards ran: judge its thresholds and run its checks after the load on the merged counters (refused when its hash is not the shards')",
    )
    .option(
      '--offline',
      'with --plan: k6 scripts: remote modules (https://...) from the module cache only, never fetched',
    )
    .option(
      '--plan-mismatch-ok',
      "judge by --plan even when its hash differs from the shards' (results.json and every report say so)",
    )
    .option('-q, --quiet', 'print nothing; only write the results and set the exit code')
    .action(async (paths: string[], flags: MergeFlags) => {
      process.exitCode = await mergeCommand(paths, flags);
    });

  const k8s = program
    .command('k8s')
    .enablePositionalOptions()
    .description(
      'write the Kubernetes manifests of a sharded run: a ConfigMap with the plan and its data files, an Indexed Job whose pod i runs shard i; then apply, collect the logs and `loadproof merge` them',
    )
    .argument('<plan>', 'plan file (.ts, .js) or Artillery script (.yml, .yaml)')
    // Required, but checked by the command: commander would also demand them of `k8s run/collect`.
    .option('--shards <n>', 'how many shards (pods) share the load (required)')
    .option('--image <image>', 'container image with loadproof installed (see the Dockerfile; required)')
    .option('--namespace <ns>', 'namespace of the Job (default: default)')
    .option('-o, --out <dir>', 'folder for the manifest file (default: the current folder)')
    .option('--start-at <time>', 'when the shards start the load (ISO time or epoch ms)')
    .option('--start-in <duration>', 'or how long from now (default 2m: time to apply and schedule)')
    .option('--cpu <quantity>', 'CPU each shard requests (default 1)')
    .option('--memory <quantity>', 'memory each shard requests and is limited to (default 512Mi)')
    .addOption(
      new Option(
        '-e, --env <KEY=VALUE>',
        "every shard's environment, from a Secret (never in the Job's args or YAML; repeatable)",
      ).argParser(collect),
    )
    .option(
      '--offline',
      'k6 scripts: remote modules (https://...) from the module cache only, never fetched, when the plan is read here (the shards fetch their own)',
    )
    .action(async (plan: string, flags: K8sFlags) => {
      const { k8sCommand } = await import('./k8s-command.ts');
      process.exitCode = await k8sCommand(plan, flags);
    });

  k8s
    .command('run')
    .description(
      "run a plan as N shards on Kubernetes with kubectl: apply the manifests with a start --lead ahead, wait for the Job, collect every shard's results from its log, merge and judge them; exit with the merged verdict (4 INCOMPLETE when a shard left no results)",
    )
    .argument('<plan>', 'plan file (.ts, .js) or Artillery script (.yml, .yaml)')
    .requiredOption('--shards <n>', 'how many shards (pods) share the load')
    .requiredOption('--image <image>', 'container image with loadproof installed (see the Dockerfile)')
    .option('--namespace <ns>', 'namespace of the Job (default: default)')
    .option(
      '--lead <duration>',
      'how far ahead of the apply the shards start (default 30s: time to schedule and pull)',
    )
    .option('-o, --out <dir>', 'folder for the merged results and reports (default: results/<job name>)')
    .option('--kubectl <path>', 'the kubectl to use (default: kubectl on PATH, with its current context)')
    .option('--poll <duration>', 'how often to ask for the state of the Job (default 2s)')
    .option('--cpu <quantity>', 'CPU each shard requests (default 1)')
    .option('--memory <quantity>', 'memory each shard requests and is limited to (default 512Mi)')
    .addOption(
      new Option(
        '-e, --env <KEY=VALUE>',
        "every shard's environment, from a Secret (never in the Job's args or YAML; repeatable)",
      ).argParser(collect),
    )
    .option(
      '--offline',
      'k6 scripts: remote modules (https://...) from the module cache only, never fetched, when the plan is read here (the shards fetch their own)',
    )
    .option('-q, --quiet', 'print nothing; only write the results and set the exit code')
    .action(async (plan: string, flags: K8sRunFlags) => {
      const { k8sRunCommand } = await import('./k8s-run-command.ts');
      process.exitCode = await k8sRunCommand(plan, flags);
    });

  k8s
    .command('collect')
    .description(
      "collect the results of a sharded run's Job already run from its pods' logs, merge and judge them; exit with the merged verdict (4 INCOMPLETE when a shard left no results)",
    )
    .argument('<job>', "the Job's name (loadproof-...)")
    .option('--namespace <ns>', 'namespace of the Job (default: default)')
    .option(
      '--plan <file>',
      "the plan the shards ran: judge its thresholds and run its checks after the load on the merged counters (refused when its hash is not the shards')",
    )
    .option('-o, --out <dir>', 'folder for the merged results and reports (default: results/<job name>)')
    .option('--kubectl <path>', 'the kubectl to use (default: kubectl on PATH, with its current context)')
    .option('-q, --quiet', 'print nothing; only write the results and set the exit code')
    .action(async (job: string, flags: K8sCollectFlags) => {
      const { k8sCollectCommand } = await import('./k8s-collect-command.ts');
      process.exitCode = await k8sCollectCommand(job, flags);
    });

  program
    .command('convert')
    .description(
      'print the TypeScript plan equivalent to an Artillery script or a k6 script (.js/.mjs importing k6, or exporting a default function or options without definePlan; read, never run), which sends the same requests when run; in a k6 script, what has no plan equivalent becomes a TODO comment, a warning naming the line and a stub that fails when used',
    )
    .argument('<script>', 'Artillery script (.yml, .yaml) or k6 script (.js, .mjs)')
    .option(
      '-o, --out <file>',
      'write the plan to this file instead of stdout (paths in it are relative to it)',
    )
    .option('--environment <name>', 'Artillery scripts: convert with this entry of config.environments')
    .option('--offline', 'accepted as run accepts it: convert reads the script only and fetches no module')
    .addOption(
      new Option(
        '-e, --env <KEY=VALUE>',
        "variable for {{ $env.KEY }} in an Artillery config, or __ENV.KEY in a k6 script's init code and options (repeatable)",
      ).argParser(collect),
    )
    .action(async (script: string, flags: { out?: string; environment?: string; env?: string[] }) => {
      const [{ parseRunFlags }, { convertArtilleryScript }, { convertK6Script }] = await Promise.all([
        import('./run-command.ts'),
        import('../plan/artillery/convert.ts'),
        import('../plan/k6/convert.ts'),
      ]);
      const { env } = parseRunFlags({ ...(flags.env ? { env: flags.env } : {}) });
      const common = {
        ...(Object.keys(env).length ? { env } : {}),
        ...(flags.out !== undefined ? { outFile: flags.out } : {}),
      };
      const { source, warnings } = /\.(c|m)?js$/i.test(script)
        ? await convertK6Script(script, common)
        : await convertArtilleryScript(script, {
            ...common,
            ...(flags.environment !== undefined ? { environment: flags.environment } : {}),
          });
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      if (flags.out) {
        mkdirSync(dirname(resolve(flags.out)), { recursive: true });
        writeFileSync(flags.out, source);
        process.stderr.write(`wrote ${flags.out}\n`);
      } else process.stdout.write(source);
      process.exitCode = EXIT.go;
    });

  program
    .command('report')
    .description('render report.html, results.md and junit.xml again from one or several results.json files')
    .argument('<results...>', 'results.json files (several share one report)')
    .option('-o, --out <dir>', "folder for the reports (default: the first file's folder)")
    .action((files: string[], flags: { out?: string }) => {
      const results = files.map(readResultsFile);
      const out = resolve(flags.out ?? dirname(files[0] as string));
      mkdirSync(out, { recursive: true });
      for (const p of writeReports(out, results)) process.stdout.write(`${p}\n`);
      process.exitCode = EXIT.go;
    });

  program
    .command('compare')
    .description(
      'compare a candidate run with a baseline, second by second: p50, p95, p99, error rate and rps for the run and each scenario ' +
        '(endpoints: their whole-run figures, not judged). A change is reported when a rank test (Mann-Whitney U) finds it significant, ' +
        'with its size, confidence interval and p-value, "~" otherwise; fewer than --min-samples seconds are not judged. ' +
        'Warns when plans or targets differ. Exit 3 only for a significant regression whose confidence interval lies wholly beyond its tolerance, 0 otherwise, 2 on a bad file or flag',
    )
    .argument('<baseline>', 'baseline results.json')
    .argument('<candidate>', 'candidate results.json')
    .option('--latency <percent>', 'allowed growth of p50, p95 and p99 in percent', '10')
    .addOption(new Option('--p95 <percent>', 'the older name of --latency').hideHelp())
    .option('--error-rate <points>', 'allowed error-rate growth in percentage points', '0.5')
    .option('--rps <percent>', 'allowed drop of requests per second in percent', '10')
    .option('--alpha <p>', 'significance level: a change counts when its p-value is below this', '0.05')
    .option('--min-samples <seconds>', 'fewest whole seconds each run needs for a metric to be judged', '5')
    .option('--markdown <file>', 'also write the table as Markdown to this file')
    .action((baseline: string, candidate: string, flags: CompareFlags) => {
      process.exitCode = compareCommand(baseline, candidate, flags);
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.go;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return EXIT.go;
      return EXIT.invalidInput;
    }
    if (e instanceof LoadproofError) process.stderr.write(`loadproof: ${e.message}\n`);
    else
      process.stderr.write(
        `loadproof: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
    return exitCodeOf(e);
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Open handles (sockets in teardown, timers in user code) must not keep a finished run alive.
setTimeout(() => process.exit(code), 500).unref();
