/**
 * `npm run serve:rehab`: the rehab service on PORT (default 4000) with DATABASE_URL, or an
 * embedded PostgreSQL when it is not set (stopped on exit). Migrates at start. Environment:
 *   REHAB_RATE_LIMIT        off | N/DURATION per sender (default 1200/60s; see shared/access.ts)
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

import { type StartupConfig, startupConfig } from '../shared/config.ts';
import { maskUrl } from '../shared/database.ts';
import { localDatabase } from '../shared/local-database.ts';
import { parseRateLimit } from '../shared/rate-limit.ts';
import { startRehab } from './app.ts';

// Typed, so that TypeScript knows env.fatal never returns.
const env: StartupConfig = startupConfig('rehab');
const port = env.port(4000);
let rateLimit: ReturnType<typeof parseRateLimit>;
try {
  rateLimit = parseRateLimit(process.env.REHAB_RATE_LIMIT, 'REHAB_RATE_LIMIT', {
    max: 1200,
    windowMs: 60_000,
  });
} catch (e) {
  env.fatal((e as Error).message);
}
const options = {
  batchSize: env.positiveInt('REHAB_BATCH_SIZE', 100),
  batchTimeoutMs: env.positiveInt('REHAB_BATCH_TIMEOUT_MS', 1000),
  processors: env.positiveInt('REHAB_PROCESSORS', 10),
  maxBacklog: env.positiveInt('REHAB_MAX_BACKLOG', 50_000),
  maxPendingWrites: env.positiveInt('REHAB_MAX_PENDING', 20_000),
  poolSize: env.positiveInt('REHAB_DB_POOL', 16),
};

let db: Awaited<ReturnType<typeof localDatabase>>;
try {
  db = await localDatabase('rehab', 'rehab');
} catch (e) {
  env.fatal(`cannot start PostgreSQL: ${(e as Error).message}`);
}
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
  env.fatal(`cannot start with database ${maskUrl(db.url)}: ${(e as Error).message}`);
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
