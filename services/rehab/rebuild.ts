/**
 * `npm run rehab:rebuild`: rebuilds every projection from the event log against DATABASE_URL
 * (or the local embedded database), in one transaction. Refuses while the service's pipeline
 * runs on that database. REHAB_PROCESSORS must match the service's (default 10).
 */
import pg from 'pg';
import { maskUrl } from '../shared/database.ts';
import { localDatabase } from '../shared/local-database.ts';
import { runMigrations } from '../shared/migrate.ts';
import { rebuildProjections } from './projections.ts';

const db = await localDatabase('rehab', 'rehab');
const client = new pg.Client({ connectionString: db.url });
let code = 0;
try {
  await client.connect();
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  await runMigrations(pool, { dir: new URL('./migrations/', import.meta.url) });
  await pool.end();
  const started = performance.now();
  const n = await rebuildProjections(client, Number(process.env.REHAB_PROCESSORS ?? 10), (done, total) => {
    if (process.stderr.isTTY) process.stderr.write(`\rrebuilding: ${done}/${total} events`);
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  process.stdout.write(
    `rebuilt the projections from ${n} events in ${((performance.now() - started) / 1000).toFixed(1)} s (${maskUrl(db.url)})\n`,
  );
} catch (e) {
  process.stderr.write(`rehab:rebuild: ${(e as Error).message} (${maskUrl(db.url)})\n`);
  code = 1;
} finally {
  await client.end().catch(() => {});
  await db.stop();
}
process.exit(code);
