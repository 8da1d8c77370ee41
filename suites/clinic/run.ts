/**
 * The seed's commands, against a running clinic service (`npm run serve:clinic`):
 *   npm run load-test:scenario1|scenario2|scenario3   one scenario
 *   npm run load-test:all                             all three, integrity, PERFORMANCE_TEST_RESULTS.md
 *   npm run load-test:report                          reports again from the newest results
 * CLINIC_URL (default http://127.0.0.1:3000), DATABASE_URL (default: the service's local one),
 * LOADPROOF_PROFILE=quick for 10-20 s runs (default: the seed's full durations).
 * Each scenario reseeds the data first (load-test:seed). Exit: 0 GO, 3 NO-GO, 2 bad input.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { EXIT, type ResultsFile } from 'loadproof';
import { timestampFolder, writeReports } from 'loadproof/report';
import { suiteDatabaseUrl } from '../../services/shared/local-database.ts';
import { verdictLines, writeSuiteDocuments } from '../performance-results.ts';
import { CLINIC_SCENARIOS, runClinicSuite } from './suite.ts';

const command = process.argv[2] ?? 'help';
const clinicUrl = process.env.CLINIC_URL ?? 'http://127.0.0.1:3000';
const profile = process.env.LOADPROOF_PROFILE === 'quick' ? 'quick' : 'full';
const root = resolve(new URL('../..', import.meta.url).pathname, 'results');

function databaseUrl(): string {
  const url = suiteDatabaseUrl('clinic');
  if (url) return url;
  process.stderr.write(
    'DATABASE_URL is not set and `npm run serve:clinic` is not running with its local database\n',
  );
  process.exit(EXIT.invalidInput);
}

async function serviceUp(): Promise<void> {
  try {
    const r = await fetch(`${clinicUrl}/health`, { signal: AbortSignal.timeout(3000) });
    if (r.ok) return;
    process.stderr.write(`the clinic service at ${clinicUrl} answered ${r.status} on /health\n`);
  } catch (e) {
    process.stderr.write(
      `the clinic service at ${clinicUrl} is not running (${(e as Error).message}): start it with \`npm run serve:clinic\`\n`,
    );
  }
  process.exit(EXIT.invalidInput);
}

const scenarioIndex: Record<string, number> = { scenario1: 0, scenario2: 1, scenario3: 2 };

if (command === 'report') {
  const dirs = existsSync(root)
    ? readdirSync(root)
        .filter((d) => d.startsWith('clinic-'))
        .sort()
    : [];
  const newest = dirs.at(-1);
  if (!newest) {
    process.stderr.write(`no clinic results under ${root}: run npm run load-test:all first\n`);
    process.exit(EXIT.invalidInput);
  }
  const dir = join(root, newest);
  const files = readdirSync(dir).filter((f) => f.endsWith('.results.json'));
  const results = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ResultsFile);
  for (const p of writeReports(dir, results)) process.stdout.write(`${relative(process.cwd(), p)}\n`);
} else if (command === 'all' || command in scenarioIndex) {
  await serviceUp();
  const outDir = timestampFolder(root).replace(/results\/(?=[^/]+$)/, 'results/clinic-');
  const only =
    command === 'all' ? undefined : [CLINIC_SCENARIOS[scenarioIndex[command] as number]?.name as string];
  const stop = new AbortController();
  process.on('SIGINT', () => stop.abort());
  const suite = await runClinicSuite({
    clinicUrl,
    databaseUrl: databaseUrl(),
    profile,
    outDir,
    signal: stop.signal,
    ...(only ? { only } : {}),
  });
  const runs = suite.runs.map((r) => ({ name: r.name, results: r.results }));
  const obs = {
    crashes: suite.overbooked.length ? [`OVERBOOKING: ${suite.overbooked.length} authorizations`] : [],
    notes: [
      `final integrity check: ${suite.overbooked.length} overbooked, ${suite.ledger.length} ledger mismatches`,
    ],
  };
  const rec = writeSuiteDocuments(outDir, 'Performance test results: clinic', runs, obs).recommendation;
  process.stdout.write(verdictLines(rec, outDir));
  process.exitCode = rec.status === 'GO' ? EXIT.go : EXIT.noGo;
} else {
  process.stdout.write(
    'usage: node suites/clinic/run.ts scenario1|scenario2|scenario3|all|report\n(see the comment at the top of suites/clinic/run.ts)\n',
  );
  process.exitCode = command === 'help' ? 0 : EXIT.invalidInput;
}
