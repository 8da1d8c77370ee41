/**
 * `npm run load-test:setup`: drop and recreate the clinic database (DATABASE_URL, or the
 * embedded default), migrate, seed, write fixtures/test-data.json.
 * `npm run load-test:seed` (--seed-only): seed again without dropping.
 */
import pg from 'pg';
import { clinicSecret } from '../../services/clinic/auth.ts';
import { migrate } from '../../services/clinic/migrate.ts';
import { maskUrl, recreateDatabase } from '../../services/shared/database.ts';
import { localDatabase } from '../../services/shared/local-database.ts';
import { FIXTURE_FILE, seedClinic, writeFixture } from './seed-data.ts';

const seedOnly = process.argv.includes('--seed-only');
const db = await localDatabase('clinic', 'clinic_load_test');
try {
  if (!seedOnly) {
    await recreateDatabase(db.url);
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const applied = await migrate(pool);
      process.stdout.write(`recreated ${maskUrl(db.url)}; migrations: ${applied.join(', ')}\n`);
    } finally {
      await pool.end();
    }
  }
  const fixture = await seedClinic(db.url, clinicSecret());
  writeFixture(fixture);
  process.stdout.write(
    `seeded ${fixture.organizations.length} organizations, ${fixture.authorizations.length} authorizations ` +
      `(${fixture.highContentionAuthIds.length} high-contention), ${fixture.practitioners.length} practitioner tokens\n` +
      `fixture: ${FIXTURE_FILE}\n`,
  );
} catch (e) {
  process.stderr.write(`load-test:setup: ${(e as Error).message}\n`);
  process.exitCode = 2;
} finally {
  await db.stop();
}
