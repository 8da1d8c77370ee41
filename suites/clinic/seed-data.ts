/**
 * The clinic test data of seed 000: 3 organizations (A: 10 patients, 4 practitioners,
 * 30 authorizations; B: 5, 3, 15; C: 5, 3, 10), 55 authorizations (10 of 50 units, the
 * high-contention targets; 20 of 200; 25 of 1000), one admin per organization, and a JWT per
 * practitioner that outlives the longest scenario. Simulated people only.
 */

import { writePrivateJson } from 'loadproof/suite';
import pg from 'pg';
import { type Role, signToken } from '../../services/clinic/auth.ts';

export interface ClinicFixture {
  authorizationIds: string[];
  highContentionAuthIds: string[];
  practitionerTokens: string[];
  organizations: { id: string; name: string }[];
  authorizations: { id: string; organizationId: string; totalUnits: number; authNumber: string }[];
  practitioners: { token: string; organizationId: string; userId: string }[];
  admins: { token: string; organizationId: string; userId: string }[];
}

export const FIXTURE_FILE = new URL('./fixtures/test-data.json', import.meta.url).pathname;

const ORGS = [
  { name: 'Organization A', key: 'A', patients: 10, practitioners: 4, authorizations: 30 },
  { name: 'Organization B', key: 'B', patients: 5, practitioners: 3, authorizations: 15 },
  { name: 'Organization C', key: 'C', patients: 5, practitioners: 3, authorizations: 10 },
];

/** Unit sizes of the 55 authorizations, spread so that every organization gets each size. */
export function authorizationSizes(): { org: number; units: number }[] {
  const sizes = [...Array(10).fill(50), ...Array(20).fill(200), ...Array(25).fill(1000)] as number[];
  // Deal the orgs' slots in a 6:3:2 rhythm (30:15:10), so each size lands in every organization.
  const slots: number[] = [];
  const left = ORGS.map((o) => o.authorizations);
  const rhythm = [0, 0, 1, 0, 2, 0, 1, 0, 0, 1, 2];
  for (let i = 0; slots.length < 55; i++) {
    const org = rhythm[i % rhythm.length] as number;
    if ((left[org] as number) > 0) {
      slots.push(org);
      left[org] = (left[org] as number) - 1;
    } else {
      const other = left.findIndex((n) => n > 0);
      slots.push(other);
      left[other] = (left[other] as number) - 1;
    }
  }
  return sizes.map((units, i) => ({ org: slots[i] as number, units }));
}

/** Empties the tables (not the schema) and seeds anew. Returns the fixture. */
export async function seedClinic(
  databaseUrl: string,
  secret: Uint8Array,
  tokenLifetime = '12h',
): Promise<ClinicFixture> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query('BEGIN');
    await db.query(
      'TRUNCATE unit_ledger, authorizations, patients, users, organizations, service_codes CASCADE',
    );
    const code = (
      await db.query(
        `INSERT INTO service_codes (code, description) VALUES ('97110', 'Therapeutic exercise') RETURNING id`,
      )
    ).rows[0].id as string;
    const fixture: ClinicFixture = {
      authorizationIds: [],
      highContentionAuthIds: [],
      practitionerTokens: [],
      organizations: [],
      authorizations: [],
      practitioners: [],
      admins: [],
    };
    const patientsByOrg: string[][] = [];
    for (const o of ORGS) {
      const orgId = (await db.query('INSERT INTO organizations (name) VALUES ($1) RETURNING id', [o.name]))
        .rows[0].id as string;
      fixture.organizations.push({ id: orgId, name: o.name });
      const patients: string[] = [];
      for (let i = 1; i <= o.patients; i++) {
        const id = (
          await db.query(
            'INSERT INTO patients (organization_id, display_name) VALUES ($1, $2) RETURNING id',
            [orgId, `Simulated Patient ${o.key}${String(i).padStart(2, '0')}`],
          )
        ).rows[0].id as string;
        patients.push(id);
      }
      patientsByOrg.push(patients);
      const users: { role: Role; list: ClinicFixture['practitioners']; n: number }[] = [
        { role: 'PRACTITIONER', list: fixture.practitioners, n: o.practitioners },
        { role: 'ADMIN', list: fixture.admins, n: 1 },
      ];
      for (const u of users) {
        for (let i = 1; i <= u.n; i++) {
          const email = `${u.role.toLowerCase()}${i}.${o.key.toLowerCase()}@clinic.test`;
          const userId = (
            await db.query(
              'INSERT INTO users (organization_id, email, role) VALUES ($1, $2, $3) RETURNING id',
              [orgId, email, u.role],
            )
          ).rows[0].id as string;
          const token = await signToken(
            secret,
            { userId, organizationId: orgId, role: u.role },
            tokenLifetime,
          );
          u.list.push({ token, organizationId: orgId, userId });
        }
      }
    }
    let n = 0;
    for (const { org, units } of authorizationSizes()) {
      const o = ORGS[org] as (typeof ORGS)[number];
      const orgId = fixture.organizations[org]?.id as string;
      const patients = patientsByOrg[org] as string[];
      const authNumber = `AUTH-${o.key}-${String(++n).padStart(4, '0')}`;
      const id = (
        await db.query(
          `INSERT INTO authorizations (organization_id, patient_id, service_code_id, auth_number, total_units, start_date, end_date)
           VALUES ($1, $2, $3, $4, $5, current_date - 30, current_date + 365) RETURNING id`,
          [orgId, patients[n % patients.length], code, authNumber, units],
        )
      ).rows[0].id as string;
      fixture.authorizationIds.push(id);
      if (units === 50) fixture.highContentionAuthIds.push(id);
      fixture.authorizations.push({ id, organizationId: orgId, totalUnits: units, authNumber });
    }
    fixture.practitionerTokens = fixture.practitioners.map((p) => p.token);
    await db.query('COMMIT');
    return fixture;
  } catch (e) {
    await db.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    await db.end();
  }
}

export function writeFixture(fixture: ClinicFixture, file = FIXTURE_FILE): void {
  // The fixture holds tokens: never committed (.gitignore).
  writePrivateJson(file, fixture);
}
