/**
 * `npm run serve:clinic`: the clinic service on PORT (default 3000) with DATABASE_URL, or an
 * embedded PostgreSQL when it is not set (stopped on exit). Environment:
 *   CLINIC_STRATEGY    serializable (default) | row-lock
 *   CLINIC_RATE_LIMIT  off | N/DURATION (default 600/60s per user; see shared/access.ts)
 *   CLINIC_DB_POOL     database connections (default 20)
 *   CLINIC_TX_CONCURRENCY  unit-operation transactions in flight at once (default 1, at most
 *                      CLINIC_DB_POOL); operations arriving while all are busy share the next
 *   CLINIC_TX_GROUP    unit operations one transaction applies at most (default 16; 1: each
 *                      operation in a transaction of its own)
 *   CLINIC_JWT_SECRET  HS256 secret (default: generated once into .loadproof/clinic-jwt-secret)
 * SIGTERM and SIGINT stop it gracefully: in-flight requests finish, then the pool closes.
 */

import { type StartupConfig, startupConfig } from '../shared/config.ts';
import { maskUrl } from '../shared/database.ts';
import { localDatabase } from '../shared/local-database.ts';
import { parseRateLimit } from '../shared/rate-limit.ts';
import { startClinic } from './app.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_GROUP, type Strategy } from './units.ts';

// Typed, so that TypeScript knows env.fatal never returns.
const env: StartupConfig = startupConfig('clinic');
const strategy = (process.env.CLINIC_STRATEGY ?? 'serializable') as Strategy;
if (strategy !== 'serializable' && strategy !== 'row-lock') {
  env.fatal(`CLINIC_STRATEGY: expected serializable or row-lock, got "${strategy}"`);
}
const port = env.port(3000);
const poolSize = env.positiveInt('CLINIC_DB_POOL', 20);
const txConcurrency = env.positiveInt('CLINIC_TX_CONCURRENCY', DEFAULT_CONCURRENCY);
if (txConcurrency > poolSize)
  env.fatal(
    `CLINIC_TX_CONCURRENCY: ${txConcurrency} transactions need as many connections; CLINIC_DB_POOL is ${poolSize}`,
  );
const maxGroup = env.positiveInt('CLINIC_TX_GROUP', DEFAULT_MAX_GROUP);
let rateLimit: ReturnType<typeof parseRateLimit>;
try {
  rateLimit = parseRateLimit(process.env.CLINIC_RATE_LIMIT);
} catch (e) {
  env.fatal((e as Error).message);
}

let db: Awaited<ReturnType<typeof localDatabase>>;
try {
  db = await localDatabase('clinic', 'clinic_load_test');
} catch (e) {
  env.fatal(`cannot start PostgreSQL: ${(e as Error).message}`);
}
let clinic: Awaited<ReturnType<typeof startClinic>>;
try {
  clinic = await startClinic({
    databaseUrl: db.url,
    strategy,
    rateLimit,
    poolSize,
    txConcurrency,
    maxGroup,
    port,
  });
} catch (e) {
  await db.stop();
  env.fatal(`cannot start with database ${maskUrl(db.url)}: ${(e as Error).message}`);
}
process.stdout.write(
  `clinic listening on ${clinic.url} (strategy ${strategy}, ${txConcurrency} transactions of up to ${maxGroup} operations, rate limit ${rateLimit ? `${rateLimit.max}/${rateLimit.windowMs / 1000}s` : 'off'}, database ${maskUrl(db.url)})\n`,
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await clinic.close();
  await db.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
