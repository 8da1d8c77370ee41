/**
 * `npm run serve:clinic`: the clinic service on PORT (default 3000) with DATABASE_URL, or an
 * embedded PostgreSQL when it is not set (stopped on exit). Environment:
 *   CLINIC_STRATEGY    serializable (default) | row-lock
 *   CLINIC_RATE_LIMIT  off | N/DURATION (default 600/60s per token)
 *   CLINIC_DB_POOL     database connections (default 20)
 *   CLINIC_JWT_SECRET  HS256 secret (default: generated once into .loadproof/clinic-jwt-secret)
 * SIGTERM and SIGINT stop it gracefully: in-flight requests finish, then the pool closes.
 */
import { maskUrl } from '../shared/database.ts';
import { localDatabase } from '../shared/local-database.ts';
import { parseRateLimit } from '../shared/rate-limit.ts';
import { startClinic } from './app.ts';
import type { Strategy } from './units.ts';

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
const poolSize = Number(process.env.CLINIC_DB_POOL ?? 20);
if (!Number.isInteger(poolSize) || poolSize < 1) fatal(`CLINIC_DB_POOL: expected a positive integer`);
let rateLimit: ReturnType<typeof parseRateLimit>;
try {
  rateLimit = parseRateLimit(process.env.CLINIC_RATE_LIMIT);
} catch (e) {
  fatal((e as Error).message);
}

const db = await localDatabase('clinic', 'clinic_load_test');
let clinic: Awaited<ReturnType<typeof startClinic>>;
try {
  clinic = await startClinic({ databaseUrl: db.url, strategy, rateLimit, poolSize, port });
} catch (e) {
  await db.stop();
  fatal(`cannot start with database ${maskUrl(db.url)}: ${(e as Error).message}`);
}
process.stdout.write(
  `clinic listening on ${clinic.url} (strategy ${strategy}, rate limit ${rateLimit ? `${rateLimit.max}/${rateLimit.windowMs / 1000}s` : 'off'}, database ${maskUrl(db.url)})\n`,
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
