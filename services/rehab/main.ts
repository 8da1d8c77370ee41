/**
 * `npm run serve:rehab`: the rehab service on PORT (default 4000) with DATABASE_URL, or an
 * embedded PostgreSQL when it is not set (stopped on exit). Migrates at start. Environment:
 *   REHAB_RATE_LIMIT        off | N/DURATION per token (default 1200/60s)
 *   REHAB_BATCH_SIZE        most events per pipeline batch (default 100)
 *   REHAB_BATCH_TIMEOUT_MS  longest wait before the pipeline looks for events (default 1000)
 *   REHAB_PROCESSORS        pipeline processors, partitioned by subject (default 10)
 *   REHAB_MAX_BACKLOG       unprojected events past which writes get 429 (default 50000)
 *   REHAB_MAX_PENDING       events awaiting commit past which writes get 429 (default 20000)
 *   REHAB_DB_POOL           database connections for requests (default 16)
 *   REHAB_JWT_SECRET        HS256 secret (default: generated once into .loadproof/rehab-jwt-secret)
 * SIGTERM and SIGINT stop it gracefully: no new requests, in-flight writes committed and
 * projected, checkpoints written, then exit.
 */
import { maskUrl } from '../shared/database.ts';
import { localDatabase } from '../shared/local-database.ts';
import { parseRateLimit } from '../shared/rate-limit.ts';
import { startRehab } from './app.ts';

function fatal(message: string): never {
  process.stderr.write(`rehab: ${message}\n`);
  process.exit(2);
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fatal(`${name}: expected a positive integer, got "${raw}"`);
  return n;
}

const port = Number(process.env.PORT ?? 4000);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fatal(`PORT: expected a port number, got "${process.env.PORT}"`);
let rateLimit: ReturnType<typeof parseRateLimit>;
try {
  rateLimit = parseRateLimit(process.env.REHAB_RATE_LIMIT, 'REHAB_RATE_LIMIT', {
    max: 1200,
    windowMs: 60_000,
  });
} catch (e) {
  fatal((e as Error).message);
}
const options = {
  batchSize: positiveInt('REHAB_BATCH_SIZE', 100),
  batchTimeoutMs: positiveInt('REHAB_BATCH_TIMEOUT_MS', 1000),
  processors: positiveInt('REHAB_PROCESSORS', 10),
  maxBacklog: positiveInt('REHAB_MAX_BACKLOG', 50_000),
  maxPendingWrites: positiveInt('REHAB_MAX_PENDING', 20_000),
  poolSize: positiveInt('REHAB_DB_POOL', 16),
};

const db = await localDatabase('rehab', 'rehab');
let rehab: Awaited<ReturnType<typeof startRehab>>;
try {
  rehab = await startRehab({
    databaseUrl: db.url,
    rateLimit,
    port,
    ...options,
    onError: (m) => process.stderr.write(`rehab: ${m}\n`),
  });
} catch (e) {
  await db.stop();
  fatal(`cannot start with database ${maskUrl(db.url)}: ${(e as Error).message}`);
}
process.stdout.write(
  `rehab listening on ${rehab.url} (rate limit ${rateLimit ? `${rateLimit.max}/${rateLimit.windowMs / 1000}s` : 'off'}, ` +
    `batch ${options.batchSize} / ${options.batchTimeoutMs} ms, ${options.processors} processors, database ${maskUrl(db.url)})\n`,
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await rehab.close();
  await db.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
