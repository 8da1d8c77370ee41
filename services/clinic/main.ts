/**
 * `npm run serve:clinic`: the clinic service on PORT (default 3000) with DATABASE_URL, or an
 * embedded PostgreSQL when it is not set (stopped on exit). Environment:
 *   CLINIC_STRATEGY    serializable (default) | row-lock
 *   CLINIC_RATE_LIMIT  off | N/DURATION (default 600/60s per token)
 *   CLINIC_DB_POOL     database connections (default 20)
 *   CLINIC_TX_CONCURRENCY  unit-operation transactions in flight at once (default 4, at most
 *                      CLINIC_DB_POOL); operations arriving while all are busy share the next
 *   CLINIC_TX_GROUP    unit operations one transaction applies at most (default 16; 1: each
 *                      operation in a transaction of its own)
 *   CLINIC_JWT_SECRET  HS256 secret (default: generated once into .loadproof/clinic-jwt-secret)
 * SIGTERM and SIGINT stop it gracefully: in-flight requests finish, then the pool closes.
 */
import { maskUrl } from '../shared/database.ts';
import { localDatabase } from '../shared/local-database.ts';
import { parseRateLimit } from '../shared/rate-limit.ts';
import { startClinic } from './app.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_GROUP, type Strategy } from './units.ts';

function fatal(message: string): never {
  process.stderr.write(`clinic: ${message}\n`);
  process.exit(2);
}

const strategy = (process.env.CLINIC_STRATEGY ?? 'serializable') as Strategy;
if (strategy !== 'serializable' && strategy !== 'row-lock') {
  fatal(`CLINIC_STRATEGY: expected serializable or row-lock, got "${strategy}"`);
}
const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fatal(`PORT: expected a port number, got "${process.env.PORT}"`);
const positive = (name: string, fallback: number): number => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1)
    fatal(`${name}: expected a positive integer, got "${process.env[name]}"`);
  return v;
};
const poolSize = positive('CLINIC_DB_POOL', 20);
const txConcurrency = positive('CLINIC_TX_CONCURRENCY', DEFAULT_CONCURRENCY);
if (txConcurrency > poolSize)
  fatal(
    `CLINIC_TX_CONCURRENCY: ${txConcurrency} transactions need as many connections; CLINIC_DB_POOL is ${poolSize}`,
  );
const maxGroup = positive('CLINIC_TX_GROUP', DEFAULT_MAX_GROUP);
let rateLimit: ReturnType<typeof parseRateLimit>;
try {
  rateLimit = parseRateLimit(process.env.CLINIC_RATE_LIMIT);
} catch (e) {
  fatal((e as Error).message);
}

const db = await localDatabase('clinic', 'clinic_load_test');
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
  fatal(`cannot start with database ${maskUrl(db.url)}: ${(e as Error).message}`);
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
