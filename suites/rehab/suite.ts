/**
 * The rehab suite: setup (care assignments, consents, tokens), then smoke, load and pipeline in
 * order, then a final integrity check once the pipeline has caught up. Used by
 * `suites/rehab/scripts/run_tests.sh` (against a running service) and by `npm start`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { queryRows } from 'loadproof/checks';
import { runSuitePlan, type SuitePlanRun } from 'loadproof/suite';
import { rehabSecret } from '../../services/rehab/auth.ts';
import { readRehabConfig } from './config.ts';
import { PROJECTION_MISMATCH_SQL, SESSION_REPS_SQL } from './integrity.ts';
import { seedRehab, writeRehabFixture } from './seed-data.ts';

export const REHAB_SCENARIOS = [
  { name: 'rehab-smoke', file: 'smoke.ts', command: 'smoke' },
  { name: 'rehab-load', file: 'load.ts', command: 'load' },
  { name: 'rehab-pipeline', file: 'pipeline.ts', command: 'pipeline' },
] as const;

export interface RehabSuiteOptions {
  rehabUrl: string;
  databaseUrl: string;
  profile: 'quick' | 'full';
  outDir: string;
  /** The service's signing secret (default: REHAB_JWT_SECRET or the local one). */
  secret?: Uint8Array;
  /** AUTH_TOKEN: an admin token used for every request instead of signed ones. */
  authToken?: string;
  workers?: number;
  quiet?: boolean;
  signal?: AbortSignal;
  /** Which plans (default all three), by name (`rehab-load`). */
  only?: string[];
}

export interface RehabSuiteResult {
  runs: SuitePlanRun[];
  /** Rows of the final projection checks (both must be empty). */
  projectionMismatches: unknown[];
  sessionMismatches: unknown[];
}

export async function setupRehab(
  o: Pick<RehabSuiteOptions, 'rehabUrl' | 'databaseUrl' | 'profile' | 'secret' | 'authToken'>,
) {
  process.env.BASE_URL = o.rehabUrl;
  const config = readRehabConfig(undefined, o.profile);
  const fixture = await seedRehab({
    config,
    databaseUrl: o.databaseUrl,
    secret: o.secret ?? rehabSecret(),
    ...(o.authToken ? { authToken: o.authToken } : {}),
  });
  writeRehabFixture(fixture);
  return fixture;
}

export async function runRehabSuite(o: RehabSuiteOptions): Promise<RehabSuiteResult> {
  await setupRehab(o);
  const runs: SuitePlanRun[] = [];
  for (const s of REHAB_SCENARIOS) {
    if (o.only && !o.only.includes(s.name)) continue;
    if (o.signal?.aborted) break;
    runs.push(
      await runSuitePlan({
        name: s.name,
        file: new URL(`./plans/${s.file}`, import.meta.url).pathname,
        outDir: o.outDir,
        env: { LOADPROOF_PROFILE: o.profile, BASE_URL: o.rehabUrl, DATABASE_URL: o.databaseUrl },
        ...(o.workers !== undefined ? { workers: o.workers } : {}),
        ...(o.quiet !== undefined ? { quiet: o.quiet } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      }),
    );
  }
  // Every plan's last check waited for the pipeline to catch up; look once more over the whole log.
  const projectionMismatches = await queryRows(o.databaseUrl, PROJECTION_MISMATCH_SQL);
  const sessionMismatches = await queryRows(o.databaseUrl, SESSION_REPS_SQL);
  writeFileSync(
    join(o.outDir, 'rehab-integrity.json'),
    `${JSON.stringify({ projectionMismatches, sessionMismatches }, null, 2)}\n`,
  );
  return { runs, projectionMismatches, sessionMismatches };
}
