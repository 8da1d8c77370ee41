/**
 * Databases on a PostgreSQL server: create, drop and recreate them, and name a URL in messages
 * without its password.
 */
import pg from 'pg';
import { withDatabase } from './postgres.ts';

/** The URL with its password masked, for messages and logs. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name))
    throw new Error(`unsupported database name "${name}" in ${maskUrl(url)}`);
  return name;
}

async function withAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: withDatabase(url, 'postgres'),
    connectionTimeoutMillis: 10_000,
  });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`cannot reach PostgreSQL at ${maskUrl(url)}: ${(e as Error).message}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Throws, saying what to do, unless the server `url` names answers. */
export async function checkReachable(url: string): Promise<void> {
  try {
    await withAdmin(url, (c) => c.query('SELECT 1'));
  } catch (e) {
    throw new Error(`${(e as Error).message}; start it, or set DATABASE_URL to a server that runs`);
  }
}

/** Creates the database that `url` names, if it does not exist yet. */
export async function ensureDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  await withAdmin(url, async (c) => {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await c.query(`CREATE DATABASE "${name}"`);
  });
}

/** Drops (closing its connections) and creates the database that `url` names. */
export async function recreateDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  await withAdmin(url, async (c) => {
    try {
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${name}"`);
    } catch (e) {
      throw new Error(`cannot recreate database "${name}" at ${maskUrl(url)}: ${(e as Error).message}`);
    }
  });
}
