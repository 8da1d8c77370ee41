/**
 * clinic service benchmark: reserves of 1 unit on distinct authorizations at fixed arrival
 * rates, for the `serializable` and `row-lock` strategies side by side in one run. Each strategy
 * gets a fresh PostgreSQL server, and its service first gets an unmeasured run at 1000/s; each
 * rate starts on fresh data after a checkpoint, with 5 s of warm-up (3 s ramping up to the rate,
 * 2 s at it), then 5 s measured. The generator (loadproof), the service and PostgreSQL share this
 * machine's cores. Reports, per strategy, the rates held with p99 < 50 ms, no errors and nothing
 * dropped in the measured part; the service's operations per transaction (group commit); and
 * the disk flushes slower than 20 ms in the measured part, from a probe that flushes 8 KiB every
 * 20 ms on the same disk as PostgreSQL (every commit waits for a flush).
 * Usage: npm run bench -- clinic [rates...]   (default rates 1000 to 6000 by 1000)
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadPlanFile, runPlan, type TrendSummary } from 'loadproof';
import { queryRows } from 'loadproof/checks';
import { stopAll } from 'loadproof/suite';
import { signToken } from '../services/clinic/auth.ts';
import { ensureDatabase } from '../services/shared/database.ts';
import { type PostgresHandle, startPostgres } from '../services/shared/postgres.ts';
import { seedClinic, writeFixture } from '../suites/clinic/seed-data.ts';
import { startServiceProcess } from '../suites/service-process.ts';
import { joinOrNone, printTable } from './table.ts';

const PLAN = `import { readFileSync } from 'node:fs';
const f = JSON.parse(readFileSync(process.env.BENCH_FIXTURE, 'utf8'));
// The 25 authorizations of 1000 units, raised to 1,000,000 by the bench.
const auths = f.authorizations.filter((a) => a.totalUnits === 1000).map((a) => ({ id: a.id, token: f.practitioners.find((p) => p.organizationId === a.organizationId).token }));
const flow = async (vu) => {
  const a = auths[vu.scenarioIteration % auths.length];
  await vu.http.post('/api/authorizations/' + a.id + '/reserve', { json: { units: 1 }, headers: { authorization: 'Bearer ' + a.token }, name: 'reserve' });
};
const rate = Number(process.env.BENCH_RATE);
export default {
  target: process.env.CLINIC_URL,
  http: { connections: 100 },
  scenarios: {
    // Warm-up, 3 s ramping up to the rate, then 2 s at it: connections, the service's JIT and its
    // pool's backends' caches settle before the measured part.
    warmup: { executor: 'ramping-arrival-rate', startRate: rate / 10, stages: [{ duration: '3s', target: rate }, { duration: '2s', target: rate }], maxVUs: 300, preAllocatedVUs: 100, flow },
    measure: { executor: 'constant-arrival-rate', startTime: '5s', rate, duration: '5s', maxVUs: 300, preAllocatedVUs: 100, flow },
  },
};
`;

/** The service's transaction counters so far, from /metrics (an admin's: /metrics is theirs). */
async function txCounters(
  url: string,
  secret: string,
): Promise<{ retried: number; committed: number; operations: number }> {
  const admin = await signToken(new TextEncoder().encode(secret), {
    userId: randomUUID(),
    organizationId: randomUUID(),
    role: 'ADMIN',
  });
  const text = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${admin}` } }).then((r) =>
    r.text(),
  );
  const counter = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    retried: counter('clinic_tx_retries_total'),
    committed: counter('clinic_tx_committed_total'),
    operations: counter('clinic_tx_operations_total'),
  };
}

/**
 * bench/flush-probe.mjs in a process of its own: the disk flushes slower than 20 ms, as they
 * happen. PostgreSQL's commits wait for such flushes, so a stall there holds every request.
 */
function startFlushProbe(file: string): { stalls: { at: number; ms: number }[]; stop(): void } {
  const stalls: { at: number; ms: number }[] = [];
  const child = spawn(process.execPath, [new URL('./flush-probe.mjs', import.meta.url).pathname, file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const [at, ms] = line.split(' ').map(Number);
    stalls.push({ at: at as number, ms: ms as number });
  });
  return { stalls, stop: () => child.kill('SIGTERM') };
}

export async function runClinicBench(args: string[]): Promise<void> {
  const rates = args.length ? args.map(Number) : [1000, 2000, 3000, 4000, 5000, 6000];
  const work = mkdtempSync(join(tmpdir(), 'loadproof-clinic-bench-'));
  const planFile = join(work, 'reserve.mjs');
  writeFileSync(planFile, PLAN);
  const fixtureFile = join(work, 'fixture.json');
  let server: PostgresHandle | undefined;
  const secret = randomBytes(32).toString('base64url');
  const rows: string[][] = [];
  const held: Record<string, number[]> = { serializable: [], 'row-lock': [] };
  const probe = startFlushProbe(join(work, 'flush-probe'));
  try {
    for (const strategy of ['serializable', 'row-lock']) {
      // Each strategy gets a PostgreSQL server of its own, started fresh: one that has already
      // carried the other strategy's runs costs 10-30 µs more per request (autovacuum visiting
      // the new database among others), which would favour whichever strategy runs first.
      server = await startPostgres({ postgresFlags: ['-c', 'max_connections=300'] });
      const db = server.databaseUrl(`bench_${strategy.replace('-', '_')}`);
      await ensureDatabase(db);
      const svc = await startServiceProcess('clinic', {
        DATABASE_URL: db,
        CLINIC_RATE_LIMIT: 'off',
        CLINIC_STRATEGY: strategy,
        CLINIC_JWT_SECRET: secret,
      });
      const url = svc.url;
      /** Fresh data, a checkpoint, then the plan at `rate`. */
      const runAt = async (rate: number) => {
        writeFixture(await seedClinic(db, new TextEncoder().encode(secret)), fixtureFile);
        // Enough units that no reserve of a 10 s run meets a 409 (40,000 per authorization even at
        // 100,000/s): this measures throughput, not contention.
        await queryRows(db, 'UPDATE authorizations SET total_units = 1000000 WHERE total_units = 1000');
        // The previous rate's WAL is flushed now, not during this one.
        await queryRows(db, 'CHECKPOINT');
        Object.assign(process.env, { BENCH_FIXTURE: fixtureFile, CLINIC_URL: url, BENCH_RATE: String(rate) });
        const loaded = await loadPlanFile(planFile);
        return runPlan({ plan: loaded.plan, file: loaded.file, baseDir: work, workers: 1 });
      };
      // A newly started service is slow for its first seconds under load (JIT, each pooled
      // backend's first calls): one unmeasured run at 1000/s before the measured rates.
      await runAt(1000);
      for (const rate of rates) {
        const before = await txCounters(url, secret);
        const r = await runAt(rate);
        const m = r.scenarios.measure;
        if (!m) throw new Error('no measure scenario in the results');
        const d = m.metrics.http_req_duration as TrendSummary;
        const errors = m.requests.total - (m.requests.byStatus['200'] ?? 0);
        const after = await txCounters(url, secret);
        // The measured part: from 5 s after the run's start to its end.
        const started = Date.parse(r.startedAt);
        const stalls = probe.stalls.filter((x) => x.at >= started + 5000 && x.at <= started + r.durationMs);
        const ok = d.p99 < 50 && errors === 0 && m.droppedIterations === 0;
        if (ok) held[strategy]?.push(rate);
        rows.push([
          strategy,
          String(rate),
          ((m.requests.byStatus['200'] ?? 0) / 5).toFixed(0),
          d.p50.toFixed(1),
          d.p99.toFixed(1),
          String(errors),
          String(m.droppedIterations),
          String(r.scenarios.warmup?.droppedIterations ?? 0),
          String(after.retried - before.retried),
          ((after.operations - before.operations) / (after.committed - before.committed)).toFixed(2),
          stalls.length ? `${stalls.length}, ${Math.max(...stalls.map((x) => x.ms))} ms` : 'none',
          ok ? 'yes' : 'no',
        ]);
        process.stderr.write(`  ${strategy} ${rate}/s: p99 ${d.p99.toFixed(1)} ms, ${errors} errors\n`);
      }
      await svc.stop();
      await server.stop();
      server = undefined;
    }
  } finally {
    probe.stop();
    await stopAll();
    await server?.stop();
  }
  printTable(
    [
      'strategy',
      'rate/s',
      'achieved/s',
      'p50 ms',
      'p99 ms',
      'errors',
      'dropped',
      'dropped in warm-up',
      'tx retried',
      'operations per tx',
      'flushes > 20 ms, slowest',
      'held',
    ],
    rows,
  );
  console.log(
    `rates held in the measured 5 s (p99 < 50 ms, no errors, none dropped): serializable ${joinOrNone(held.serializable)}; row-lock ${joinOrNone(held['row-lock'])} (goal >= 3000/s)`,
  );
}
