/**
 * The rehab suite's test data: simulated patients (devices), therapists with their assigned
 * patients (care_assignments, in the service's database), an active consent per patient
 * (granted through the API, so the running service knows it), and the tokens the plans use,
 * written to fixtures/test-data.json (mode 0600, never committed).
 *
 * With AUTH_TOKEN set, every request uses that token, which must carry the admin role; else
 * tokens are signed with the service's secret (REHAB_JWT_SECRET or .loadproof/rehab-jwt-secret).
 */

import { writePrivateJson } from 'loadproof/suite';
import pg from 'pg';
import { type RehabRole, signRehabToken } from '../../services/rehab/auth.ts';
import type { RehabSuiteConfig } from './config.ts';

export const FIXTURE_FILE = new URL('./fixtures/test-data.json', import.meta.url).pathname;

export interface RehabFixture {
  baseUrl: string;
  adminToken: string;
  /** True when every token is the AUTH_TOKEN from the environment. */
  sharedToken: boolean;
  patients: { id: string; consentId: string; token: string; therapistId: string }[];
  therapists: { id: string; token: string; patients: string[] }[];
}

export class PreflightError extends Error {}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The role a token claims (read without verifying it: the service verifies). */
export function tokenRole(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload.role === 'string' ? payload.role : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The service answers, accepts the token, and says whether its rate limit is off. Throws a
 * PreflightError that says what to do; returns warnings worth printing.
 */
export async function preflight(baseUrl: string, adminToken: string): Promise<string[]> {
  let health: Response;
  try {
    health = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5000) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new PreflightError(
      `the rehab service at ${baseUrl} is not running (${cause}): start it with \`npm run serve:rehab\` or set BASE_URL`,
    );
  }
  if (!health.ok)
    throw new PreflightError(
      `the rehab service at ${baseUrl} is not healthy: GET /health answered ${health.status}`,
    );
  const role = tokenRole(adminToken);
  if (role !== 'admin')
    throw new PreflightError(
      `AUTH_TOKEN ${role ? `has the role "${role}"` : 'is not a JWT'}: the suite posts for many patients and reads every projection, so it needs an admin token (npm run rehab:token -- --role admin)`,
    );
  const status = await fetch(`${baseUrl}/api/v1/pipeline/status`, {
    headers: { authorization: `Bearer ${adminToken}` },
    signal: AbortSignal.timeout(5000),
  });
  if (status.status === 401) {
    const body = (await status.json().catch(() => ({}))) as { message?: string };
    throw new PreflightError(
      `the rehab service at ${baseUrl} rejected the token (401: ${body.message ?? 'unauthorized'}): ` +
        "sign one with the service's secret (npm run rehab:token -- --role admin) or set REHAB_JWT_SECRET to the service's",
    );
  }
  if (!status.ok) throw new PreflightError(`GET /api/v1/pipeline/status answered ${status.status}`);
  const s = (await status.json()) as { config?: { rate_limit?: string } };
  const warnings: string[] = [];
  if (s.config?.rate_limit && s.config.rate_limit !== 'off')
    warnings.push(
      `the service limits each token to ${s.config.rate_limit}: its 429s will count as rate limiting; start it with REHAB_RATE_LIMIT=off for load tests`,
    );
  return warnings;
}

export async function seedRehab(o: {
  config: RehabSuiteConfig;
  databaseUrl: string;
  secret: Uint8Array;
  /** AUTH_TOKEN: used for every request instead of signed tokens. */
  authToken?: string;
  tokenLifetime?: string;
}): Promise<RehabFixture> {
  const { config } = o;
  const sign = (id: string, role: RehabRole) =>
    o.authToken
      ? Promise.resolve(o.authToken)
      : signRehabToken(o.secret, { id, role }, o.tokenLifetime ?? '12h');
  const adminToken = await sign('suite-admin', 'admin');
  await preflight(config.baseUrl, adminToken);

  const therapists: RehabFixture['therapists'] = [];
  for (let t = 1; t <= config.therapists; t++)
    therapists.push({
      id: `suite-therapist-${pad(t, 2)}`,
      token: await sign(`suite-therapist-${pad(t, 2)}`, 'therapist'),
      patients: [],
    });
  const patients: RehabFixture['patients'] = [];
  for (let i = 1; i <= config.patients; i++) {
    const id = `suite-patient-${pad(i, 3)}`;
    const therapist = therapists[(i - 1) % therapists.length] as RehabFixture['therapists'][number];
    therapist.patients.push(id);
    patients.push({
      id,
      consentId: `consent-${id}`,
      token: await sign(id, 'device'),
      therapistId: therapist.id,
    });
  }

  // Care assignments: which therapist reads which patient. The suite's own rows only.
  const db = new pg.Client({ connectionString: o.databaseUrl });
  await db.connect();
  try {
    await db.query('BEGIN');
    await db.query(`DELETE FROM care_assignments WHERE therapist_id LIKE 'suite-therapist-%'`);
    await db.query(
      `INSERT INTO care_assignments (therapist_id, patient_id)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(therapist_id text, patient_id text)`,
      [JSON.stringify(patients.map((p) => ({ therapist_id: p.therapistId, patient_id: p.id })))],
    );
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    await db.end();
  }

  // Consents go through the API: the service checks PHI events against the consents it committed.
  for (let i = 0; i < patients.length; i += 500) {
    const events = patients.slice(i, i + 500).map((p) => ({
      kind: 'consent',
      subject_id: p.id,
      body: { action: 'grant', consent_id: p.consentId, scope: 'exercise tracking (simulated)' },
      meta: { phi: false },
    }));
    const r = await fetch(`${config.baseUrl}/api/v1/events/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ events }),
    });
    if (r.status !== 201) throw new Error(`granting the patients' consents: ${r.status} ${await r.text()}`);
  }
  return {
    baseUrl: config.baseUrl,
    adminToken,
    sharedToken: o.authToken !== undefined,
    patients,
    therapists,
  };
}

export function writeRehabFixture(f: RehabFixture, file = FIXTURE_FILE): void {
  writePrivateJson(file, f);
}
