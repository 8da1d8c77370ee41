/**
 * Where a service's database is when DATABASE_URL is not set: an embedded PostgreSQL with its
 * data in `.loadproof/<name>-pg`, whose URL is written to `.loadproof/<name>-database-url` so
 * that the suite's scripts (setup, verify) find the same database as the running service.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ensureDatabase } from './database.ts';
import { type PostgresHandle, startPostgres, withDatabase } from './postgres.ts';
import { STATE_DIR } from './secret.ts';

export interface LocalDatabase {
  url: string;
  /** Stops the embedded server if this process started it. */
  stop(): Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * The database a suite's scripts and checks use: DATABASE_URL when set, else the local database
 * a running `npm run serve:<service>` started (its URL is in `.loadproof/<service>-database-url`).
 */
export function suiteDatabaseUrl(service: string): string | undefined {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const file = join(STATE_DIR, `${service}-database-url`);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/**
 * DATABASE_URL when set; else the embedded database a running service already started; else a
 * new embedded server (stopped by `stop`). The database itself is created when missing.
 */
export async function localDatabase(service: string, database: string): Promise<LocalDatabase> {
  if (process.env.DATABASE_URL) {
    const url = process.env.DATABASE_URL;
    return { url, stop: async () => {} };
  }
  const urlFile = join(STATE_DIR, `${service}-database-url`);
  if (existsSync(urlFile)) {
    const url = readFileSync(urlFile, 'utf8').trim();
    if (await reachable(withDatabase(url, 'postgres'))) {
      await ensureDatabase(url);
      return { url, stop: async () => {} };
    }
    rmSync(urlFile, { force: true });
  }
  mkdirSync(STATE_DIR, { recursive: true });
  const pgHandle: PostgresHandle = await startPostgres({
    dataDir: join(STATE_DIR, `${service}-pg`),
    forceEmbedded: true,
  });
  const url = pgHandle.databaseUrl(database);
  await ensureDatabase(url);
  writeFileSync(urlFile, url, { mode: 0o600 });
  return {
    url,
    stop: async () => {
      rmSync(urlFile, { force: true });
      await pgHandle.stop();
    },
  };
}
