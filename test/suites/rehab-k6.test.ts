/**
 * The rehab suite's k6 scripts (suites/rehab/k6, written in k6's own API) through `loadproof run`
 * against the rehab service (its own process, on a fresh database), on a short configuration:
 * each holds every check and every threshold that does not measure time (latency targets are
 * the main job's, see test/helpers/machine-independent.ts), and what the results count agrees with the service's log (every
 * acknowledged event is there, nothing else), its audit, the checks and the groups. The service
 * refuses any write past 50 pending events, so the backpressure phase's batches of 60 all get 429,
 * which the script expects (http.expectedStatuses) and counts as shed load, not as errors.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { recreateDatabase } from '../../services/shared/database.ts';
import type { PostgresHandle } from '../../services/shared/postgres.ts';
import { queryRows } from '../../src/checks/sql.ts';
import type { CounterSummary, RateSummary, ResultsFile } from '../../src/results/types.ts';
import type { StartedProcess } from '../../src/suite/processes.ts';
import { stopAll } from '../../src/suite/processes.ts';
import { DEFAULT_CONFIG_FILE, readRehabConfig } from '../../suites/rehab/config.ts';
import { seedRehab, writeRehabFixture } from '../../suites/rehab/seed-data.ts';
import { startRehabProcess } from '../../suites/rehab/service-process.ts';
import { readResults, runCli } from '../helpers/cli.ts';
import { isTimingThreshold, reasonsOnAnyMachine } from '../helpers/machine-independent.ts';
import { testPostgres } from '../helpers/postgres.ts';

const SECRET = 'rehab-k6-test-secret-0123456789-0123456789';
const SCRIPTS = new URL('../../suites/rehab/k6/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'loadproof-rehab-k6-'));
const configFile = join(dir, 'config.json');
const fixtureFile = join(dir, 'test-data.json');

let server: PostgresHandle;
let rehab: StartedProcess;
let databaseUrl: string;

/**
 * The suite's configuration with a short quick profile. Latency thresholds are loose: this test
 * is about the scripts and what they count, on a shared machine, not about the service's speed.
 */
function writeShortConfig(baseUrl: string): void {
  const c = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8'));
  c.baseUrl = baseUrl;
  c.patients = 10;
  c.therapists = 2;
  c.thresholds.apiP95Ms = { target: 5000, critical: 10000 };
  c.thresholds.projectionLagP95Ms = { target: 5000, critical: 10000 };
  c.thresholds.eventsPerSecond = { target: 10, critical: 5 };
  c.profiles.quick = {
    smoke: { vus: 3, duration: '2s' },
    // 58 events/s in sessions of 14.5 events on average: 240 sessions a minute, 8 in 2 s.
    load: { eventsPerSecond: 58, duration: '2s', mixedVUs: 2 },
    sustained: { vus: 2, duration: '1s' },
    burst: { base: 5, peak: 10, rampSeconds: 1, holdSeconds: 1 },
    capacity: { from: 5, to: 10, duration: '2s' },
    backpressure: { eventsPerSecond: 300, batchSize: 60, duration: '1s' },
  };
  writeFileSync(configFile, JSON.stringify(c));
}

before(async () => {
  server = await testPostgres();
  databaseUrl = server.databaseUrl('rehab_k6');
  await recreateDatabase(databaseUrl);
  rehab = await startRehabProcess({ databaseUrl, secret: SECRET, env: { REHAB_MAX_PENDING: '50' } });
  writeShortConfig(rehab.url);
  const config = readRehabConfig(configFile, 'quick');
  const fixture = await seedRehab({ config, databaseUrl, secret: new TextEncoder().encode(SECRET) });
  writeRehabFixture(fixture, fixtureFile);
});
after(async () => {
  await stopAll();
  await server.stop();
});

const count = async (sql: string) => Number((await queryRows(databaseUrl, sql))[0]?.n);
const loggedEvents = () => count('SELECT count(*)::int AS n FROM events');
const auditedReads = () => count('SELECT count(*)::int AS n FROM audit_log');

/** Runs a script through the CLI; its results, and how many events and audit rows it added. */
async function run(script: string, env: Record<string, string> = {}) {
  const [events0, audit0] = [await loggedEvents(), await auditedReads()];
  const out = mkdtempSync(join(dir, `${script}-`));
  const vars = { REHAB_CONFIG: configFile, REHAB_FIXTURE: fixtureFile, LOADPROOF_PROFILE: 'quick', ...env };
  const r = await runCli([
    'run',
    join(SCRIPTS, script),
    ...Object.entries(vars).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    '--out',
    out,
  ]);
  assert.ok(r.code === 0 || r.code === 3, `${script}: exit ${r.code}\n${r.stderr}`);
  const results: ResultsFile = readResults(out);
  return {
    code: r.code,
    stderr: r.stderr,
    results,
    loggedEvents: (await loggedEvents()) - events0,
    auditedReads: (await auditedReads()) - audit0,
  };
}

const counter = (res: ResultsFile, name: string) =>
  (res.metrics[name] as CounterSummary | undefined)?.count ?? 0;
const endpoint = (res: ResultsFile, scenario: string, name: string) =>
  res.scenarios[scenario]?.endpoints.find((e) => e.name === name)?.requests.total ?? 0;
const failedChecks = (res: ResultsFile) =>
  Object.entries(res.flowChecks)
    .filter(([, c]) => c.fails > 0)
    .map(([name]) => name);

describe('the rehab k6 scripts under loadproof', () => {
  it('smoke: every acknowledged event is in the log, every read audited, each iteration one group', async () => {
    const r = await run('smoke.js');
    const res = r.results;
    assert.deepEqual(reasonsOnAnyMachine(res), [], r.stderr);
    assert.deepEqual(
      res.thresholds
        .filter((t) => !t.ok && !isTimingThreshold(res, t))
        .map((t) => `${t.metric} ${t.expression}`),
      [],
    );
    assert.deepEqual(Object.keys(res.requests.byStatus).sort(), ['200', '201']);
    assert.equal(res.requests.failed, 0);
    const ingested = counter(res, 'events_ingested');
    assert.ok(ingested > 0, 'devices posted events');
    assert.equal(ingested, endpoint(res, 'smoke', '/api/v1/events'), 'one event per acknowledged post');
    assert.equal(r.loggedEvents, ingested, 'the log holds exactly the acknowledged events');
    assert.equal(r.auditedReads, counter(res, 'patient_reads'), 'every answered read was audited');

    assert.deepEqual(failedChecks(res), []);
    const sessions = res.groups?.['::device session']?.count ?? 0;
    const rounds = res.groups?.['::therapist round']?.count ?? 0;
    const looks = res.groups?.['::admin round']?.count ?? 0;
    assert.ok(sessions > 0 && rounds > 0 && looks > 0, `groups: ${Object.keys(res.groups ?? {})}`);
    assert.equal(sessions + rounds + looks, res.iterations, 'each iteration is one group');
    assert.equal(res.flowChecks['stream positions rise within a session']?.passes, sessions);
    assert.equal(res.flowChecks['the work queue lists every assigned patient']?.passes, rounds);
    assert.equal(endpoint(res, 'smoke', '/api/v1/projections/work-queue'), rounds);
    assert.equal(endpoint(res, 'smoke', '/api/v1/alerts'), looks);
    const lag = res.metrics.projection_lag;
    assert.equal(lag?.type === 'trend' ? lag.count : -1, sessions, 'projection lag once per session');
  });

  it('load, bounded: sessions arrive at the configured rate beside the mix and the monitor', async () => {
    const r = await run('load.js');
    const res = r.results;
    assert.deepEqual(reasonsOnAnyMachine(res), [], r.stderr);
    assert.deepEqual(Object.keys(res.scenarios).sort(), ['ingestion', 'mixed', 'monitor']);
    const ingestion = res.scenarios.ingestion;
    // 240 sessions a minute for 2 s: 8 (k6 v0.47 starts one more, at the end of the duration).
    assert.ok(
      [8, 9].includes((ingestion?.iterations ?? 0) + (ingestion?.droppedIterations ?? 0)),
      `ingestion iterations: ${ingestion?.iterations}`,
    );
    assert.ok((res.scenarios.monitor?.requests.total ?? 0) >= 2, 'the monitor read the status each second');
    assert.deepEqual(Object.keys(res.requests.byStatus).sort(), ['200', '201']);
    assert.equal(r.loggedEvents, counter(res, 'events_ingested'));
    assert.equal(r.auditedReads, counter(res, 'patient_reads'));
    assert.deepEqual(failedChecks(res), []);
    const batchLatency = res.thresholds.find((t) => t.metric === 'pipeline_batch_latency_p95{load:normal}');
    assert.notEqual(batchLatency?.actual ?? null, null, 'the pipeline reported its batch latency');
  });

  it('pipeline, sustained and backpressure phases: every batch refused with 429, expected, counted as shed load', async () => {
    const r = await run('pipeline.js', { PIPELINE_SCENARIO: 'sustained,backpressure' });
    const res = r.results;
    assert.deepEqual(reasonsOnAnyMachine(res), [], r.stderr);
    assert.deepEqual(Object.keys(res.scenarios).sort(), ['backpressure', 'monitor', 'sustained']);
    const bp = res.scenarios.backpressure;
    // 300 events/s in batches of 60: 5 batches a second for 1 s (k6 v0.47 starts a sixth).
    assert.ok([5, 6].includes((bp?.iterations ?? 0) + (bp?.droppedIterations ?? 0)), `${bp?.iterations}`);
    assert.deepEqual(bp?.requests.byStatus, { 429: bp?.iterations });
    assert.equal(counter(res, 'backpressure_events'), bp?.requests.total);
    assert.equal(bp?.requests.failed, 0, 'a 429 is an expected status here');
    assert.equal((res.metrics.http_req_failed as RateSummary).rate, 0);
    assert.deepEqual(res.scenarios.sustained?.requests.byStatus['429'], undefined);
    const ingested = counter(res, 'events_ingested');
    assert.ok(ingested > 0, 'the sustained devices posted events');
    assert.equal(r.loggedEvents, ingested, 'the log holds the acknowledged events, none of the refused');
    assert.equal(counter(res, 'rate_limited'), 0);
    assert.deepEqual(failedChecks(res), []);
    assert.ok(
      res.thresholds.some((t) => t.metric === 'http_req_duration{scenario:sustained}' && t.actual !== null),
      'the sustained phase is judged on its own latency',
    );
  });
});
