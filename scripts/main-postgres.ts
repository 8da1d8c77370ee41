/**
 * The main job's PostgreSQL: DATABASE_URL's server, or an embedded one, checked to answer. A
 * failure is a missing prerequisite, not a bug of the job: one line on stderr saying what to do
 * and `undefined`, so that the job exits with 2 and no stack trace.
 */
import { checkReachable } from '../services/shared/database.ts';
import { type PostgresHandle, startPostgres } from '../services/shared/postgres.ts';

export async function startMainPostgres(say: (line: string) => void): Promise<PostgresHandle | undefined> {
  let pg: PostgresHandle | undefined;
  try {
    pg = await startPostgres();
    await checkReachable(pg.url);
    return pg;
  } catch (e) {
    await pg?.stop().catch(() => {});
    say(`postgres: ${(e as Error).message.replace(/\s*\n\s*/g, ' ')}`);
    return undefined;
  }
}
