/**
 * What the three clinic plans share: the fixture written by `npm run load-test:setup`, the
 * profile (quick: 10-20 s of the same shape, for `npm start` and CI; full: the seed's figures),
 * the integrity checks, and the client-side ledger of what the service acknowledged.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type CheckInput, queryRows, sqlCheck, type Vu } from 'loadproof';
import { suiteDatabaseUrl } from '../../../services/shared/local-database.ts';
import { LEDGER_SQL, OVERBOOKED_SQL } from '../integrity.ts';

export interface Fixture {
  authorizationIds: string[];
  highContentionAuthIds: string[];
  practitionerTokens: string[];
  authorizations: { id: string; organizationId: string; totalUnits: number }[];
  practitioners: { token: string; organizationId: string; userId: string }[];
}

/** The seeded fixture: fixtures/test-data.json, or CLINIC_FIXTURE's file (runs that must not share it). */
export const FIXTURE_PATH = process.env.CLINIC_FIXTURE
  ? pathToFileURL(process.env.CLINIC_FIXTURE)
  : new URL('../fixtures/test-data.json', import.meta.url);

export function loadFixture(): Fixture {
  let text: string;
  try {
    text = readFileSync(FIXTURE_PATH, 'utf8');
  } catch {
    throw new Error(`fixture ${FIXTURE_PATH.pathname} not found: run \`npm run load-test:setup\` first`);
  }
  return JSON.parse(text) as Fixture;
}

/** Read when a plan is loaded (not when this module is): one process may run several suites. */
export const isQuick = () => process.env.LOADPROOF_PROFILE === 'quick';
export const clinicTarget = () => process.env.CLINIC_URL ?? process.env.BASE_URL ?? 'http://127.0.0.1:3000';

/** What every clinic plan starts with: the service, its setup and the suite's custom metrics. */
export function clinicPlanBase() {
  return {
    target: clinicTarget(),
    setup: clinicSetup,
    metrics: { conflicts: 'rate', rate_limited: 'counter' } as const,
  };
}

/** Per authorization, the tokens of its organization's practitioners: built once per fixture. */
const tokensFor = new WeakMap<Fixture, Map<string, string[]>>();

function tokensByAuthorization(f: Fixture): Map<string, string[]> {
  let m = tokensFor.get(f);
  if (!m) {
    const byOrg = new Map<string, string[]>();
    for (const p of f.practitioners)
      byOrg.set(p.organizationId, [...(byOrg.get(p.organizationId) ?? []), p.token]);
    m = new Map(f.authorizations.map((a) => [a.id, byOrg.get(a.organizationId) ?? []]));
    tokensFor.set(f, m);
  }
  return m;
}

/** A Bearer header for `authId` with a token of the authorization's own organization. */
export function authHeader(f: Fixture, authId: string, pick: number): Record<string, string> {
  const tokens = tokensByAuthorization(f).get(authId) ?? [];
  if (tokens.length === 0)
    throw new Error(`no practitioner token for the organization of authorization ${authId}`);
  return { authorization: `Bearer ${tokens[pick % tokens.length]}` };
}

export type Operation = 'reserve' | 'release' | 'consume';

/**
 * One unit operation. A 409 is an expected outcome (a conflict), counted in the `conflicts` rate;
 * each acknowledged operation is added to a per-authorization counter, which the client-side
 * reconciliation compares with the database.
 */
export async function operate(vu: Vu, f: Fixture, authId: string, op: Operation, units: number) {
  const res = await vu.http.post(`/api/authorizations/${authId}/${op}`, {
    json: { units },
    headers: authHeader(f, authId, vu.id),
    expect: [409],
    name: `/api/authorizations/:id/${op}`,
  });
  vu.metrics.rate('conflicts', res.status === 409);
  if (res.status === 429) vu.metrics.counter('rate_limited', 1);
  if (res.status === 200) vu.metrics.counter(`acked_${op}:${authId}`, units);
  return res;
}

/** The clinic database: DATABASE_URL, or the one `npm run serve:clinic` started (.loadproof/). */
export const DATABASE_URL = () => {
  const url = suiteDatabaseUrl('clinic');
  if (url) return url;
  throw new Error(
    'DATABASE_URL is not set and no local clinic database is running: the integrity checks need the clinic database',
  );
};

/** The checks of every clinic scenario: after it, and every 10 s during it. */
export function integrityChecks(): Record<string, CheckInput> {
  return {
    no_overbooking: sqlCheck({
      url: DATABASE_URL,
      sql: OVERBOOKED_SQL,
      every: '10s',
      description: 'no authorization has used + scheduled > total (verify-integrity.sql)',
    }),
    ledger_reconciles: sqlCheck({
      url: DATABASE_URL,
      sql: LEDGER_SQL,
      every: '10s',
      description: "per authorization, the ledger's sums equal used and scheduled units",
    }),
    client_reconciles: {
      description:
        'per authorization, the units of the successful responses loadproof saw equal what the database holds',
      // After the load only: during it, an operation may be committed before its response arrives.
      run: async (ctx) => {
        const baseline = (ctx.setup as ClinicSetup).baseline;
        const rows = await unitRows();
        const bad: unknown[] = [];
        for (const r of rows) {
          const before = baseline[r.id];
          if (!before) continue;
          const reserved = ctx.counter(`acked_reserve:${r.id}`);
          const released = ctx.counter(`acked_release:${r.id}`);
          const consumed = ctx.counter(`acked_consume:${r.id}`);
          const scheduled = before.scheduled + reserved - released - consumed;
          const used = before.used + consumed;
          if (scheduled !== r.scheduled || used !== r.used) {
            bad.push({
              id: r.id,
              db_scheduled: r.scheduled,
              seen_scheduled: scheduled,
              db_used: r.used,
              seen_used: used,
            });
          }
        }
        return bad;
      },
    },
  };
}

interface UnitRow {
  id: string;
  scheduled: number;
  used: number;
}

async function unitRows(): Promise<UnitRow[]> {
  const rows = await queryRows(DATABASE_URL(), 'SELECT id, scheduled_units, used_units FROM authorizations');
  return rows.map((r) => ({
    id: String(r.id),
    scheduled: Number(r.scheduled_units),
    used: Number(r.used_units),
  }));
}

export interface ClinicSetup {
  /** Units per authorization before the load, so that the reconciliation counts only this run. */
  baseline: Record<string, { scheduled: number; used: number }>;
}

/** setup() of every clinic plan: the service answers, and the units before the load. */
export async function clinicSetup(): Promise<ClinicSetup> {
  const TARGET = clinicTarget();
  const health = await fetch(`${TARGET}/health`).catch((e: Error) => {
    throw new Error(
      `the clinic service at ${TARGET} does not answer (${e.message}): start it with \`npm run serve:clinic\``,
    );
  });
  if (!health.ok)
    throw new Error(`the clinic service at ${TARGET} is not healthy: GET /health answered ${health.status}`);
  const baseline: ClinicSetup['baseline'] = {};
  for (const r of await unitRows()) baseline[r.id] = { scheduled: r.scheduled, used: r.used };
  return { baseline };
}
