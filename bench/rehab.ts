/**
 * rehab service benchmark, side by side in one run on this machine (generator, service and
 * PostgreSQL share its cores):
 *   single   one event per POST at fixed arrival rates, the rehab service beside the anchor (a bare
 *            Fastify route doing one autocommit INSERT per request)
 *   batch    POST /events/batch of 100 events at fixed event rates
 *   lag      1000 events/s of single posts while probes post an event and poll a projection until
 *            its as_of_position reaches the event; the pipeline's own lag and batch latency beside
 * Every rate runs 2 s of warm-up at that rate, then 5 s measured. A rate is held when p95 < 200 ms,
 * errors < 0.1% and no iteration was dropped.
 * Usage: npm run bench -- rehab [single|batch|lag ...]   (default: all three)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlanFile, type ResultsFile, runPlan, type TrendSummary } from 'loadproof';
import { queryRows } from 'loadproof/checks';
import { type StartedProcess, stopAll } from 'loadproof/suite';
import { signRehabToken } from '../services/rehab/auth.ts';
import { databaseName, ensureDatabase } from '../services/shared/database.ts';
import { startPostgres } from '../services/shared/postgres.ts';
import { startServiceProcess } from '../suites/service-process.ts';
import { joinOrNone, printTable } from './table.ts';

const SUBJECTS = 200;
const BATCH = 100;

const PLAN = `import { readFileSync } from 'node:fs';
const f = JSON.parse(readFileSync(process.env.BENCH_FIXTURE, 'utf8'));
const mode = process.env.BENCH_MODE;
const rate = Number(process.env.BENCH_RATE);
const rep = (subject, n) => ({
  kind: 'rep_observation', subject_id: subject,
  body: { session_id: 'bench-' + subject, rep_number: 1 + (n % 15), quality_score: (n % 100) / 100, confidence_rating: 0.9, duration_ms: 3000 },
  meta: { phi: true, consent_id: 'consent-' + subject },
});
const auth = (i) => ({ authorization: 'Bearer ' + f.tokens[i % f.tokens.length] });
const subject = (i) => f.subjects[i % f.subjects.length];
const single = async (vu) => {
  const i = vu.scenarioIteration;
  await vu.http.post('/api/v1/events', { json: rep(subject(i), i), headers: auth(i), name: 'POST /events', expect: [201] });
};
const batch = async (vu) => {
  const i = vu.scenarioIteration;
  const events = Array.from({ length: ${BATCH} }, (_, k) => rep(subject(i), i * ${BATCH} + k));
  await vu.http.post('/api/v1/events/batch', { json: { events }, headers: auth(i), name: 'POST /events/batch', expect: [201] });
};
// Post an event, then read the subject's quality projection until it reflects that event.
const probe = async (vu) => {
  const i = 1_000_000 + vu.scenarioIteration;
  const res = await vu.http.post('/api/v1/events', { json: rep(subject(i), i), headers: auth(i), name: 'probe POST /events', expect: [201] });
  if (res.status !== 201) return;
  const acked = performance.now();
  const url = '/api/v1/projections/quality?window=1h&patient_id=' + subject(i);
  for (;;) {
    const r = await vu.http.get(url, { headers: auth(i), name: 'probe GET /projections/quality' });
    if (r.status !== 200) return;
    if (r.body.as_of_position >= res.body.stream_position) break;
    if (performance.now() - acked > 10_000) return;
    await vu.sleep('2ms');
  }
  vu.metrics.trend('projection_lag', performance.now() - acked);
};
const flow = mode === 'batch' ? batch : single;
const open = (extra) => ({ executor: 'constant-arrival-rate', rate, maxVUs: 2000, preAllocatedVUs: 200, flow, ...extra });
export default {
  target: process.env.BENCH_URL,
  http: { connections: 128 },
  metrics: { projection_lag: 'trend' },
  scenarios: {
    warmup: open({ duration: '2s' }),
    measure: open({ startTime: '2s', duration: '5s' }),
    ...(mode === 'lag'
      ? { probe: { executor: 'constant-arrival-rate', rate: 20, maxVUs: 100, startTime: '2s', duration: '5s', flow: probe } }
      : {}),
  },
};
`;

interface Row {
  cells: string[];
  held: boolean;
}

export async function runRehabBench(args: string[]): Promise<void> {
  const parts = args.length ? args : ['single', 'batch', 'lag'];
  for (const p of parts)
    if (!['single', 'batch', 'lag'].includes(p)) throw new Error(`unknown rehab bench part "${p}"`);
  const work = mkdtempSync(join(tmpdir(), 'loadproof-rehab-bench-'));
  const planFile = join(work, 'rehab.mjs');
  writeFileSync(planFile, PLAN);
  const fixtureFile = join(work, 'fixture.json');
  const secretText = randomBytes(32).toString('base64url');
  const secret = new TextEncoder().encode(secretText);
  const subjects = Array.from({ length: SUBJECTS }, (_, i) => `bench-patient-${i}`);
  const tokens = await Promise.all(subjects.map((id) => signRehabToken(secret, { id, role: 'device' })));
  const admin = await signRehabToken(secret, { id: 'bench-admin', role: 'admin' });
  writeFileSync(fixtureFile, JSON.stringify({ subjects, tokens }));
  const server = await startPostgres({ postgresFlags: ['-c', 'max_connections=200'] });

  const start = async (kind: 'rehab' | 'anchor'): Promise<StartedProcess> => {
    const db = server.databaseUrl(`bench_${kind}_${Date.now()}`);
    await ensureDatabase(db);
    const svc = await startServiceProcess(
      kind,
      { DATABASE_URL: db, REHAB_RATE_LIMIT: 'off', REHAB_JWT_SECRET: secretText },
      kind === 'anchor' ? new URL('./rehab-anchor.ts', import.meta.url).pathname : undefined,
    );
    const url = svc.url;
    if (kind === 'rehab') {
      // Every subject has an active consent, so its PHI events are accepted.
      const events = subjects.map((s) => ({
        kind: 'consent',
        subject_id: s,
        body: { action: 'grant', consent_id: `consent-${s}` },
        meta: { phi: false },
      }));
      const r = await fetch(`${url}/api/v1/events/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ events }),
      });
      if (r.status !== 201) throw new Error(`granting consents: ${r.status} ${await r.text()}`);
    }
    // Stopping drops the target's database and checkpoints: the next part does not share the
    // server with this one's autovacuum and checkpoint work (a part after the single-event runs
    // was measured during them otherwise).
    return {
      ...svc,
      stop: async () => {
        await svc.stop();
        const postgresDb = server.databaseUrl('postgres');
        await queryRows(postgresDb, `DROP DATABASE "${databaseName(db)}" WITH (FORCE)`);
        await queryRows(postgresDb, 'CHECKPOINT');
      },
    };
  };

  const run = async (url: string, mode: string, rate: number): Promise<ResultsFile> => {
    Object.assign(process.env, {
      BENCH_FIXTURE: fixtureFile,
      BENCH_URL: url,
      BENCH_MODE: mode,
      BENCH_RATE: String(rate),
    });
    const loaded = await loadPlanFile(planFile);
    return runPlan({ plan: loaded.plan, file: loaded.file, baseDir: work, workers: 1 });
  };

  const measured = (r: ResultsFile, eventsPerRequest: number, rate: number): Row => {
    const m = r.scenarios.measure;
    if (!m) throw new Error('no measure scenario in the results');
    const d = m.metrics.http_req_duration as TrendSummary;
    const total = m.requests.total;
    const errors = total - (m.requests.byStatus['201'] ?? 0);
    const errorRate = total > 0 ? errors / total : 1;
    const held = d.p95 < 200 && errorRate < 0.001 && m.droppedIterations === 0;
    const seconds = 5;
    return {
      held,
      cells: [
        String(rate),
        (((m.requests.byStatus['201'] ?? 0) * eventsPerRequest) / seconds).toFixed(0),
        d.p50.toFixed(1),
        d.p95.toFixed(1),
        d.p99.toFixed(1),
        `${(errorRate * 100).toFixed(2)}%`,
        String(m.droppedIterations),
        held ? 'yes' : 'no',
      ],
    };
  };
  const header = [
    'target',
    'events/s asked',
    'events/s acked',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'errors',
    'dropped',
    'held',
  ];

  try {
    if (parts.includes('single')) {
      const rates = [2000, 4000, 5000, 6000, 8000, 10_000];
      const rows: string[][] = [];
      const held: Record<string, number[]> = { rehab: [], anchor: [] };
      for (const kind of ['rehab', 'anchor'] as const) {
        const svc = await start(kind);
        for (const rate of rates) {
          const row = measured(await run(svc.url, 'single', rate), 1, rate);
          if (row.held) held[kind]?.push(rate);
          rows.push([kind, ...row.cells]);
          process.stderr.write(`  single ${kind} ${rate}/s: ${row.cells.slice(2, 6).join(' / ')}\n`);
        }
        await svc.stop();
      }
      console.log('\n## single events (one per POST)');
      printTable(header, rows);
      console.log(
        `rates held (p95 < 200 ms, errors < 0.1%, none dropped): rehab ${joinOrNone(held.rehab)}; anchor ${joinOrNone(held.anchor)} (goal >= 5000/s)`,
      );
    }
    if (parts.includes('batch')) {
      const rates = [20_000, 30_000, 40_000, 50_000];
      const rows: string[][] = [];
      const held: number[] = [];
      const svc = await start('rehab');
      // How the pipeline kept up: projection statements and read batches per 1000 events.
      const pipelineCounts = async () => {
        const s = await fetch(`${svc.url}/api/v1/pipeline/status`, {
          headers: { authorization: `Bearer ${admin}` },
        }).then((x) => x.json() as Promise<Record<string, any>>);
        const statements = (s.processors as { statements: number }[]).reduce((a, p) => a + p.statements, 0);
        return { statements, batches: s.batches as number, events: s.events_projected as number };
      };
      for (const rate of rates) {
        const before = await pipelineCounts();
        const row = measured(await run(svc.url, 'batch', rate / BATCH), BATCH, rate);
        const after = await pipelineCounts();
        const per1000 = (n: number) => ((1000 * n) / Math.max(1, after.events - before.events)).toFixed(1);
        row.cells[0] = String(rate);
        if (row.held) held.push(rate);
        rows.push([
          'rehab',
          ...row.cells,
          per1000(after.statements - before.statements),
          per1000(after.batches - before.batches),
        ]);
        process.stderr.write(`  batch ${rate} events/s: ${row.cells.slice(2, 6).join(' / ')}\n`);
      }
      await svc.stop();
      console.log(`\n## batches of ${BATCH} events`);
      printTable([...header, 'stmts/1000 ev', 'reads/1000 ev'], rows);
      console.log(`event rates held in batches: ${joinOrNone(held)} (goal >= 30000/s)`);
    }
    if (parts.includes('lag')) {
      const svc = await start('rehab');
      const r = await run(svc.url, 'lag', 1000);
      const row = measured(r, 1, 1000);
      const lag = r.scenarios.probe?.metrics.projection_lag as TrendSummary | undefined;
      const status = await fetch(`${svc.url}/api/v1/pipeline/status`, {
        headers: { authorization: `Bearer ${admin}` },
      }).then((x) => x.json() as Promise<Record<string, any>>);
      await svc.stop();
      console.log('\n## projection lag at 1000 events/s');
      printTable(header, [['rehab', ...row.cells]]);
      const f = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(1));
      console.log(
        `client-measured lag (201 received -> projection shows it, 2 ms polls), ${lag?.count ?? 0} probes: ` +
          `p50 ${f(lag?.p50)} ms, p95 ${f(lag?.p95)} ms, p99 ${f(lag?.p99)} ms, max ${f(lag?.max)} ms (goal p95 < 100 ms)`,
      );
      console.log(
        `pipeline-reported (commit -> projected, last ${status.projection_lag_ms?.samples} events): lag p50 ${f(status.projection_lag_ms?.p50)} ms, ` +
          `p95 ${f(status.projection_lag_ms?.p95)} ms; batch latency p50 ${f(status.batch_latency_ms?.p50)} ms, p95 ${f(status.batch_latency_ms?.p95)} ms; ` +
          `${status.batches} batches for ${status.events_projected} events, ${status.group_commits} group commits for ${status.events_written} events`,
      );
    }
  } finally {
    await stopAll();
    await server.stop();
  }
}
