/** The clinic's migrations (services/clinic/migrations), applied by the shared runner. */
import type pg from 'pg';
import { runMigrations } from '../shared/migrate.ts';

export function migrate(pool: pg.Pool, options: { skip?: string[] } = {}): Promise<string[]> {
  return runMigrations(pool, { dir: new URL('./migrations/', import.meta.url), ...options });
}
