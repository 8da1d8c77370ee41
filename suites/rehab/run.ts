/**
 * The rehab suite's commands, against a running rehab service (`npm run serve:rehab`); what
 * `suites/rehab/scripts/run_tests.sh` calls. See HELP below.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { EXIT } from 'loadproof';
import { timestampFolder } from 'loadproof/report';
import { suiteDatabaseUrl } from '../../services/shared/local-database.ts';
import { verdictLines, writeSuiteDocuments } from '../performance-results.ts';
import { ConfigError, readRehabConfig } from './config.ts';
import { PreflightError } from './seed-data.ts';
import { REHAB_SCENARIOS, runRehabSuite, setupRehab } from './suite.ts';

const HELP = `usage: suites/rehab/scripts/run_tests.sh <command>    (or npm run rehab:suite -- <command>)

commands
  smoke      5 devices, a therapist and an admin on every endpoint (30 s; quick: 5 s)
  load       device sessions at 1000 events/s beside 70% patients, 20% therapists, 10% admins
  pipeline   sustained, burst, capacity ramp and backpressure, one after another
             (PIPELINE_SCENARIO=sustained|burst|capacity|backpressure runs one)
  all        the three, then PERFORMANCE_TEST_RESULTS.md and the reports
  setup      only the test data: care assignments, consents, tokens (fixtures/test-data.json)
  cleanup    remove results/rehab-* folders older than 7 days
  help       this text

Each load command sets the data up first and writes results/rehab-<timestamp>/.

environment
  BASE_URL           the service (default: baseUrl in suites/rehab/config.json)
  AUTH_TOKEN         an admin token used for every request (default: tokens signed with
                     REHAB_JWT_SECRET or the local secret in .loadproof/)
  DATABASE_URL       the service's database, for the setup and the integrity checks
                     (default: the one \`npm run serve:rehab\` started)
  LOADPROOF_PROFILE  quick (seconds per phase) or full (the seed's durations; default)
  REHAB_CONFIG       another configuration file instead of suites/rehab/config.json

exit codes: 0 GO, 3 NO-GO, 2 invalid input or a prerequisite missing, 1 unexpected failure`;

const command = process.argv[2] ?? 'help';
const root = resolve(new URL('../..', import.meta.url).pathname, 'results');
const say = (m: string) => process.stderr.write(`${m}\n`);

function fail(message: string): never {
  say(`rehab suite: ${message}`);
  process.exit(EXIT.invalidInput);
}

async function main(): Promise<number> {
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${HELP}\n`);
    return EXIT.go;
  }
  if (command === 'cleanup') {
    const cutoff = Date.now() - 7 * 86_400_000;
    const old = existsSync(root)
      ? readdirSync(root).filter((d) => d.startsWith('rehab-') && statSync(join(root, d)).mtimeMs < cutoff)
      : [];
    for (const d of old) rmSync(join(root, d), { recursive: true, force: true });
    process.stdout.write(
      `removed ${old.length} result folder(s) older than 7 days from ${relative(process.cwd(), root)}/\n`,
    );
    return EXIT.go;
  }
  const plans: Record<string, string[] | undefined> = {
    all: undefined,
    ...Object.fromEntries(REHAB_SCENARIOS.map((s) => [s.command, [s.name]])),
  };
  if (command !== 'setup' && !(command in plans)) {
    say(`rehab suite: unknown command "${command}"\n\n${HELP}`);
    return EXIT.invalidInput;
  }
  const profile = process.env.LOADPROOF_PROFILE === 'quick' ? 'quick' : 'full';
  const config = readRehabConfig(undefined, profile);
  const databaseUrl = suiteDatabaseUrl('rehab');
  if (!databaseUrl)
    fail('DATABASE_URL is not set and `npm run serve:rehab` is not running with its local database');
  const common = {
    rehabUrl: config.baseUrl,
    databaseUrl,
    profile,
    ...(process.env.AUTH_TOKEN ? { authToken: process.env.AUTH_TOKEN } : {}),
  } as const;
  if (command === 'setup') {
    const f = await setupRehab(common);
    process.stdout.write(
      `set up ${f.patients.length} patients with consents and ${f.therapists.length} therapists at ${config.baseUrl}; fixture: suites/rehab/fixtures/test-data.json\n`,
    );
    return EXIT.go;
  }
  const outDir = timestampFolder(root).replace(/results\/(?=[^/]+$)/, 'results/rehab-');
  const stop = new AbortController();
  process.on('SIGINT', () => stop.abort());
  const only = plans[command];
  const suite = await runRehabSuite({ ...common, outDir, signal: stop.signal, ...(only ? { only } : {}) });
  const runs = suite.runs.map((r) => ({ name: r.name, results: r.results }));
  const mismatches = suite.projectionMismatches.length + suite.sessionMismatches.length;
  const obs = {
    crashes: mismatches ? [`PROJECTIONS DISAGREE WITH THE LOG: ${mismatches} rows`] : [],
    notes: [`final projection check: ${mismatches} mismatches with the event log`],
  };
  const rec = writeSuiteDocuments(outDir, 'Performance test results: rehab', runs, obs).recommendation;
  process.stdout.write(verdictLines(rec, outDir));
  return rec.status === 'GO' && !stop.signal.aborted ? EXIT.go : EXIT.noGo;
}

try {
  process.exitCode = await main();
} catch (e) {
  if (e instanceof ConfigError || e instanceof PreflightError) {
    say(`rehab suite: ${e.message}`);
    process.exitCode = EXIT.invalidInput;
  } else {
    say(`rehab suite: unexpected failure: ${(e as Error).stack ?? e}`);
    process.exitCode = EXIT.unexpected;
  }
}
