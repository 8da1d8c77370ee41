/**
 * The rehab suite's fixture (made by `run_tests.sh setup`): patients, therapists and their
 * tokens, read when a plan loads; the suite's database; and what a plan's setup records before
 * the load (the baseline the integrity checks compare against).
 */
import { readFileSync } from 'node:fs';
import { queryRows } from 'loadproof';
import { suiteDatabaseUrl } from '../../../services/shared/local-database.ts';
import type { RehabSuiteConfig } from '../config.ts';
import { AUDIT_HIGH_WATER_SQL, EVENTS_PER_SUBJECT_SQL } from '../integrity.ts';
import { FIXTURE_FILE, preflight, type RehabFixture } from '../seed-data.ts';

export type Patient = RehabFixture['patients'][number];
export type Therapist = RehabFixture['therapists'][number];

/** The `i`th of `list`, round and round. */
export const pick = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;

export const DATABASE_URL = () => {
  const url = suiteDatabaseUrl('rehab');
  if (url) return url;
  throw new Error(
    'DATABASE_URL is not set and no local rehab database is running: the integrity checks need the rehab database',
  );
};

export interface RehabSetup {
  /** Distinguishes this run's sessions from earlier runs' in the same database. */
  runId: string;
  /** Events per subject before the load. */
  baseline: Record<string, number>;
  auditHighWater: number;
}

export function loadFixture(config: RehabSuiteConfig): RehabFixture {
  let f: RehabFixture;
  try {
    f = JSON.parse(readFileSync(FIXTURE_FILE, 'utf8')) as RehabFixture;
  } catch {
    throw new Error(
      `fixture ${FIXTURE_FILE} not found: run \`suites/rehab/scripts/run_tests.sh setup\` first`,
    );
  }
  if (f.baseUrl !== config.baseUrl)
    throw new Error(
      `fixture ${FIXTURE_FILE} was made for ${f.baseUrl}, not ${config.baseUrl}: run the setup again`,
    );
  return f;
}

/** A plan's setup: the service answers, and the log's and the audit's state before the load. */
export async function rehabSetup(config: RehabSuiteConfig, fixture: RehabFixture): Promise<RehabSetup> {
  await preflight(config.baseUrl, fixture.adminToken);
  const baseline: Record<string, number> = {};
  for (const r of await queryRows(DATABASE_URL(), EVENTS_PER_SUBJECT_SQL))
    baseline[String(r.subject_id)] = Number(r.n);
  const [audit] = await queryRows(DATABASE_URL(), AUDIT_HIGH_WATER_SQL);
  return { runId: Date.now().toString(36), baseline, auditHighWater: Number(audit?.id ?? 0) };
}
