/**
 * `npm start`: the main job. Starts an embedded PostgreSQL (or uses DATABASE_URL's server) and
 * the reference services, sets up their data, runs the quick profile of every suite scenario
 * with its checks, writes results/<timestamp>/ (a results.json per scenario, reports,
 * PERFORMANCE_TEST_RESULTS.md) and prints the verdict. Stops everything it started, on Ctrl-C too.
 *
 *   npm start [-- --profile quick|full] [--out DIR] [--workers N] [--only clinic-contention,...]
 * Exit: 0 GO, 3 NO-GO, 2 invalid input, 1 unexpected failure.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT } from 'loadproof';
import { timestampFolder } from 'loadproof/report';
import { type StartedProcess, stopAll } from 'loadproof/suite';
import { signToken } from '../services/clinic/auth.ts';
import { signRehabToken } from '../services/rehab/auth.ts';
import { ensureDatabase, maskUrl, recreateDatabase } from '../services/shared/database.ts';
import type { PostgresHandle } from '../services/shared/postgres.ts';
import { startClinicProcess } from '../suites/clinic/service-process.ts';
import { CLINIC_SCENARIOS, runClinicSuite } from '../suites/clinic/suite.ts';
import { type SuiteRunResult, writeSuiteDocuments } from '../suites/performance-results.ts';
import { startRehabProcess } from '../suites/rehab/service-process.ts';
import { REHAB_SCENARIOS, runRehabSuite } from '../suites/rehab/suite.ts';
import { startMainPostgres } from './main-postgres.ts';

const HELP = `npm start [-- options]: run every scenario of the clinic and rehab suites against the reference services

  --profile quick|full   quick (default): seconds per scenario, about 2 minutes in all; full: the seeds' durations
  --out DIR              results folder (default results/<timestamp>)
  --workers N            load generator threads (default: number of cores)
  --only NAMES           comma-separated scenarios, e.g. clinic-contention,rehab-load
                         (clinic-contention, clinic-throughput, clinic-mixed,
                          rehab-smoke, rehab-load, rehab-pipeline)
  --help

Exit codes: 0 GO, 3 NO-GO, 2 invalid input, 1 unexpected failure.`;

let args: ReturnType<typeof parseArgs>;
try {
  args = parseArgs({
    options: {
      profile: { type: 'string', default: 'quick' },
      out: { type: 'string' },
      workers: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n\n${HELP}\n`);
  process.exit(EXIT.invalidInput);
}
const v = args.values as { profile: string; out?: string; workers?: string; only?: string; help: boolean };
if (v.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
if (v.profile !== 'quick' && v.profile !== 'full') {
  process.stderr.write(`--profile: expected quick or full, got "${v.profile}"\n`);
  process.exit(EXIT.invalidInput);
}
const workers = v.workers === undefined ? undefined : Number(v.workers);
if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) {
  process.stderr.write(`--workers: expected a positive integer, got "${v.workers}"\n`);
  process.exit(EXIT.invalidInput);
}
const profile = v.profile as 'quick' | 'full';
const only = v.only?.split(',').map((s) => s.trim());
const known: string[] = [...CLINIC_SCENARIOS, ...REHAB_SCENARIOS].map((s) => s.name);
const unknown = only?.filter((n) => !known.includes(n)) ?? [];
if (unknown.length) {
  process.stderr.write(
    `--only: unknown scenario(s) ${unknown.join(', ')}; expected some of ${known.join(', ')}\n`,
  );
  process.exit(EXIT.invalidInput);
}
const wanted = (suite: string) => !only || only.some((n) => n.startsWith(`${suite}-`));
const outDir = resolve(v.out ?? timestampFolder());
const started = Date.now();
const stop = new AbortController();
const say = (m: string) => process.stderr.write(`${m}\n`);

let pg: PostgresHandle | undefined;
let interrupted = false;
const cleanup = async () => {
  await stopAll();
  await pg?.stop();
};
process.on('SIGINT', () => {
  if (interrupted) process.exit(EXIT.unexpected);
  interrupted = true;
  say('\nstopping: finishing in-flight requests, then stopping the services (Ctrl-C again to quit at once)');
  stop.abort();
});

async function main(): Promise<number> {
  say(`loadproof main job: ${profile} profile, results in ${relative(process.cwd(), outDir) || '.'}`);
  pg = await startMainPostgres(say);
  if (!pg) return EXIT.invalidInput;
  say(`postgres: ${pg.embedded ? 'embedded' : 'external'} at ${maskUrl(pg.url)}`);

  const crashes: string[] = [];
  const notes: string[] = [];
  const runs: SuiteRunResult[] = [];
  /**
   * One suite against its service: a database of its own, a new signing secret, the service
   * started as its own process and watched (an exit before its suite ends is a crash), then
   * stopped. `run` returns the suite's runs and adds its notes.
   */
  const withService = async (
    name: string,
    databaseUrl: string,
    start: (databaseUrl: string, secret: string) => Promise<StartedProcess>,
    run: (service: StartedProcess, secret: Uint8Array) => Promise<SuiteRunResult[]>,
  ) => {
    const secret = randomBytes(32).toString('base64url');
    const service = await start(databaseUrl, secret);
    let done = false;
    service.child.once('exit', (code, signal) => {
      if (!done && !stop.signal.aborted)
        crashes.push(`${name} service exited during the run (code ${code}, signal ${signal})`);
    });
    try {
      runs.push(...(await run(service, new TextEncoder().encode(secret))));
    } finally {
      done = true;
      await service.stop();
    }
  };
  /** A service's Prometheus counters, read once its suite is done (an admin's token: /metrics is theirs). */
  const scrape = async (url: string, adminToken: string) => {
    const text = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })
      .then((r) => r.text())
      .catch(() => '');
    return (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  };
  const suiteOptions = {
    profile,
    outDir,
    ...(workers !== undefined ? { workers } : {}),
    signal: stop.signal,
    ...(only ? { only } : {}),
  };

  if (wanted('clinic') && !stop.signal.aborted) {
    const databaseUrl = pg.databaseUrl('clinic_load_test');
    await ensureDatabase(databaseUrl);
    await withService(
      'clinic',
      databaseUrl,
      (db, secret) => {
        process.env.CLINIC_JWT_SECRET = secret;
        return startClinicProcess({ databaseUrl: db, secret });
      },
      async (clinic, secret) => {
        say(`clinic: ${clinic.url} (SERIALIZABLE, rate limiting off)`);
        const suite = await runClinicSuite({ ...suiteOptions, clinicUrl: clinic.url, databaseUrl, secret });
        const admin = await signToken(secret, {
          userId: randomUUID(),
          organizationId: randomUUID(),
          role: 'ADMIN',
        });
        const metric = await scrape(clinic.url, admin);
        notes.push(
          `clinic database pool: ${metric('clinic_db_pool_waiting')} requests waiting at the end; ` +
            `${metric('clinic_tx_retries_total')} transactions retried, ${metric('clinic_tx_retries_exhausted_total')} gave up (503)`,
          `clinic final integrity check: ${suite.overbooked.length} overbooked authorizations, ${suite.ledger.length} ledger mismatches`,
        );
        if (suite.overbooked.length)
          crashes.push(`OVERBOOKING in the final check: ${suite.overbooked.length} authorizations`);
        return suite.runs;
      },
    );
  }

  if (wanted('rehab') && !stop.signal.aborted) {
    const databaseUrl = pg.databaseUrl('rehab_load_test');
    await recreateDatabase(databaseUrl);
    await withService(
      'rehab',
      databaseUrl,
      (db, secret) => startRehabProcess({ databaseUrl: db, secret }),
      async (rehab, secret) => {
        say(`rehab: ${rehab.url} (group commit, 10 processors, rate limiting off)`);
        const suite = await runRehabSuite({ ...suiteOptions, rehabUrl: rehab.url, databaseUrl, secret });
        const metric = await scrape(
          rehab.url,
          await signRehabToken(secret, { id: 'main-job', role: 'admin' }),
        );
        const mismatches = suite.projectionMismatches.length + suite.sessionMismatches.length;
        notes.push(
          `rehab: ${metric('rehab_group_commits_total')} group commits; ${metric('rehab_events_projected_total')} events projected in ${metric('rehab_pipeline_batches_total')} batches; ` +
            `${metric('rehab_backpressure_rejections_total')} writes refused by backpressure (429)`,
          `rehab final integrity check: ${mismatches} rows where the projections disagree with the event log`,
        );
        if (mismatches) crashes.push(`PROJECTIONS DISAGREE WITH THE LOG: ${mismatches} rows`);
        return suite.runs;
      },
    );
  }

  const { recommendation: rec, files } = writeSuiteDocuments(outDir, 'Performance test results', runs, {
    crashes,
    notes,
  });

  const lines = ['', `verdict: ${rec.status}${interrupted ? ' (interrupted)' : ''}`, ''];
  for (const r of runs) {
    const d = r.results.metrics.http_req_duration;
    const p95 = d?.type === 'trend' ? `${d.p95.toFixed(1)} ms` : '-';
    lines.push(
      `  ${r.results.verdict.status === 'GO' ? 'GO   ' : 'NO-GO'}  ${r.name.padEnd(20)} ${String(r.results.requests.total).padStart(7)} requests  ${r.results.requests.rps.toFixed(0).padStart(6)}/s  p95 ${p95}`,
    );
  }
  for (const reason of rec.reasons) lines.push(`  - ${reason}`);
  lines.push(
    '',
    `results:   ${relative(process.cwd(), outDir)}/`,
    ...files.map((p, i) => `${i === 0 ? 'report:   ' : '          '} ${relative(process.cwd(), p)}`),
    `took ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return rec.status === 'GO' && !interrupted ? EXIT.go : EXIT.noGo;
}

let code: number = EXIT.unexpected;
try {
  code = await main();
} catch (e) {
  say(`main job failed: ${(e as Error).message}`);
  code = (e as { exitCode?: number }).exitCode ?? EXIT.unexpected;
} finally {
  await cleanup();
}
process.exit(code);
