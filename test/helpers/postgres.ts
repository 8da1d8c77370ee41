/**
 * The tests' PostgreSQL: one server for a whole `npm test`, a database per test file.
 *
 * scripts/test.ts starts the server once and names it in LOADPROOF_TEST_POSTGRES_URL; every file
 * that calls `testPostgres()` gets a handle on it whose `databaseUrl(name)` names a database of
 * that file alone (the name prefixed with the file's process id), dropped by `stop()` when unused.
 * A file run alone, without the variable, starts a server of its own (or uses DATABASE_URL's),
 * as `startPostgres` does. Tests that stop, crash or read the log of their server start their own
 * with `startPostgres({ forceEmbedded: true })` instead.
 */
import pg from 'pg';
import { type PostgresHandle, startPostgres, withDatabase } from '../../services/shared/postgres.ts';

/** The environment variable that carries the run's shared server (its `postgres` database). */
export const TEST_POSTGRES_URL = 'LOADPROOF_TEST_POSTGRES_URL';

/** Database names are at most 63 bytes; the prefix takes up to 10. */
const MAX_NAME = 63;

export async function testPostgres(): Promise<PostgresHandle> {
  const shared = process.env[TEST_POSTGRES_URL];
  if (!shared) return await startPostgres();
  const prefix = `t${process.pid}_`;
  const named = new Set<string>();
  return {
    url: shared,
    embedded: false,
    databaseUrl: (name) => {
      const full = `${prefix}${name}`;
      if (full.length > MAX_NAME) throw new Error(`test database name too long: ${full}`);
      named.add(full);
      return withDatabase(shared, full);
    },
    stop: async () => {
      const client = new pg.Client({ connectionString: shared });
      await client.connect();
      try {
        for (const name of named) {
          // Cleanup only (the run's server is removed at its end): a database still in use stays.
          await client.query(`DROP DATABASE IF EXISTS "${name}"`).catch(() => {});
        }
      } finally {
        await client.end();
      }
    },
  };
}
