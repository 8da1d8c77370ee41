/**
 * The `loadproof` command line. Exit codes: 0 GO, 3 NO-GO, 2 invalid input, 1 unexpected.
 */

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { EXIT, exitCodeOf, LoadproofError } from '../errors.ts';
import { readResultsFile } from '../report/read.ts';
import { writeReports } from '../report/write.ts';
import { VERSION } from '../version.ts';
import { runCommand } from './run-command.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(): Command {
  const program = new Command('loadproof')
    .description(
      'Proves that a backend keeps its promises under load: latency, throughput and data integrity.\n' +
        'Exit codes: 0 GO, 3 NO-GO (a threshold or check failed), 2 invalid input, 1 unexpected failure.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('run')
    .description(
      'run a plan (.ts/.js module exporting definePlan({...}), or an Artillery .yml script) and write DIR/results.json',
    )
    .argument('<plan>', 'plan file')
    .option('-o, --out <dir>', 'folder for results.json (default: results/<timestamp>)')
    .option('-w, --workers <n>', 'worker threads that share the load (default: number of cores)')
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
      new Option('-e, --env <KEY=VALUE>', 'variable for vu.env and setup (repeatable)').argParser(collect),
    )
    .option('--environment <name>', 'Artillery scripts: apply config.environments.<name>')
    .option('-q, --quiet', 'print nothing; only write results.json and set the exit code')
    .action(async (plan: string, flags) => {
      process.exitCode = await runCommand(plan, flags);
    });

  program
    .command('report')
    .description('render report.html and results.md again from one or several results.json files')
    .argument('<results...>', 'results.json files (several share one report)')
    .option('-o, --out <dir>', "folder for the reports (default: the first file's folder)")
    .action((files: string[], flags: { out?: string }) => {
      const results = files.map(readResultsFile);
      const out = resolve(flags.out ?? dirname(files[0] as string));
      mkdirSync(out, { recursive: true });
      for (const p of writeReports(out, results)) process.stdout.write(`${p}\n`);
      process.exitCode = EXIT.go;
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
