/**
 * Forward-only SQL migrations: files `NNN_name.sql` of a service's migrations folder applied in
 * order, each in a transaction, recorded in schema_migrations. Applying them again does nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';

export function migrationNames(dir: URL): string[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort()
    .map((f) => f.replace(/\.sql$/, ''));
}

export interface MigrateOptions {
  /** The folder of the migration files (a URL ending in `/`). */
  dir: URL;
  /** Migrations to leave out (test databases only). */
  skip?: string[];
}

export async function runMigrations(pool: pg.Pool, options: MigrateOptions): Promise<string[]> {
  const db = await pool.connect();
  try {
    return await migrateWith(db, options);
  } finally {
    db.release();
  }
}

async function migrateWith(db: pg.PoolClient, options: MigrateOptions): Promise<string[]> {
  await db.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  // One migrator at a time.
  await db.query('SELECT pg_advisory_lock(727272)');
  try {
    const done = new Set(
      (await db.query('SELECT name FROM schema_migrations')).rows.map((r) => r.name as string),
    );
    const applied: string[] = [];
    for (const name of migrationNames(options.dir)) {
      if (done.has(name) || options.skip?.includes(name)) continue;
      const sql = readFileSync(new URL(`${name}.sql`, options.dir), 'utf8');
      await db.query('BEGIN');
      try {
        await db.query(sql);
        await db.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
        await db.query('COMMIT');
      } catch (e) {
        await db.query('ROLLBACK');
        throw new Error(`migration ${name} failed: ${(e as Error).message}`);
      }
      applied.push(name);
    }
    return applied;
  } finally {
    await db.query('SELECT pg_advisory_unlock(727272)');
  }
}
