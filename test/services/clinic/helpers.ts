/** A real PostgreSQL, a migrated and seeded clinic database, and the service on a loopback port. */
import pg from 'pg';
import { type ClinicOptions, type RunningClinic, startClinic } from '../../../services/clinic/app.ts';
import { migrate } from '../../../services/clinic/migrate.ts';
import { ensureDatabase } from '../../../services/shared/database.ts';
import type { PostgresHandle } from '../../../services/shared/postgres.ts';
import { type ClinicFixture, seedClinic } from '../../../suites/clinic/seed-data.ts';

export const SECRET = new TextEncoder().encode('test-secret-of-the-clinic-service-0123456789');

export interface ClinicUnderTest {
  clinic: RunningClinic;
  fixture: ClinicFixture;
  url: string;
  db: pg.Pool;
  close(): Promise<void>;
}

/** `skipMigrations`: migrations the database is made without (then the service migrates nothing). */
export async function clinicUnderTest(
  server: PostgresHandle,
  database: string,
  options: Omit<ClinicOptions, 'databaseUrl'> & { skipMigrations?: string[] } = {},
): Promise<ClinicUnderTest> {
  const { skipMigrations = [], ...clinicOptions } = options;
  const url = server.databaseUrl(database);
  await ensureDatabase(url);
  const db = new pg.Pool({ connectionString: url, max: 4 });
  await migrate(db, { skip: skipMigrations });
  const fixture = await seedClinic(url, SECRET);
  const clinic = await startClinic({
    ...clinicOptions,
    ...(skipMigrations.length > 0 ? { migrate: false } : {}),
    databaseUrl: url,
    secret: SECRET,
  });
  return {
    clinic,
    fixture,
    url: clinic.url,
    db,
    close: async () => {
      await clinic.close();
      await db.end();
    },
  };
}

export function practitionerFor(f: ClinicFixture, authId: string): string {
  const auth = f.authorizations.find((a) => a.id === authId);
  const p = f.practitioners.find((x) => x.organizationId === auth?.organizationId);
  if (!p) throw new Error('no practitioner');
  return p.token;
}

export async function op(
  base: string,
  token: string | undefined,
  authId: string,
  operation: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${base}/api/authorizations/${authId}/${operation}`, {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers };
}

/** Fires `n` requests at once and counts the statuses. */
export async function race(
  n: number,
  fire: () => Promise<{ status: number }>,
): Promise<Record<number, number>> {
  const results = await Promise.all(Array.from({ length: n }, fire));
  const counts: Record<number, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

export async function unitsOf(db: pg.Pool, authId: string) {
  const { rows } = await db.query(
    'SELECT total_units, used_units, scheduled_units, status FROM authorizations WHERE id = $1',
    [authId],
  );
  return rows[0] as { total_units: number; used_units: number; scheduled_units: number; status: string };
}
