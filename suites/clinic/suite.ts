/**
 * The clinic suite: the three scenarios of seed 000 in order, each on freshly seeded data, then
 * the integrity verification and PERFORMANCE_TEST_RESULTS.md. Used by `npm run load-test:all`
 * (against a running service) and by `npm start` (which starts the service itself).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { queryRows } from 'loadproof/checks';
import { runSuitePlan, type SuitePlanRun } from 'loadproof/suite';
import { clinicSecret } from '../../services/clinic/auth.ts';
import { LEDGER_SQL, OVERBOOKED_SQL } from './integrity.ts';
import { seedClinic, writeFixture } from './seed-data.ts';

export const CLINIC_SCENARIOS = [
  { name: 'clinic-contention', file: 'contention.ts' },
  { name: 'clinic-throughput', file: 'throughput.ts' },
  { name: 'clinic-mixed', file: 'mixed.ts' },
] as const;

export interface ClinicSuiteOptions {
  clinicUrl: string;
  databaseUrl: string;
  profile: 'quick' | 'full';
  outDir: string;
  /** The service's signing secret (default: CLINIC_JWT_SECRET or the local one). */
  secret?: Uint8Array;
  workers?: number;
  quiet?: boolean;
  signal?: AbortSignal;
  /** Which scenarios (default: all three). */
  only?: string[];
}

export interface ClinicSuiteResult {
  runs: SuitePlanRun[];
  /** Rows of the final overbooking and ledger checks (both must be empty). */
  overbooked: unknown[];
  ledger: unknown[];
}

export async function runClinicSuite(o: ClinicSuiteOptions): Promise<ClinicSuiteResult> {
  const runs: SuitePlanRun[] = [];
  for (const s of CLINIC_SCENARIOS) {
    if (o.only && !o.only.includes(s.name)) continue;
    if (o.signal?.aborted) break;
    // Every scenario starts from the seeded state, as the seed's suite did after load-test:setup.
    writeFixture(await seedClinic(o.databaseUrl, o.secret ?? clinicSecret()));
    runs.push(
      await runSuitePlan({
        name: s.name,
        file: new URL(`./plans/${s.file}`, import.meta.url).pathname,
        outDir: o.outDir,
        env: { LOADPROOF_PROFILE: o.profile, CLINIC_URL: o.clinicUrl, DATABASE_URL: o.databaseUrl },
        ...(o.workers !== undefined ? { workers: o.workers } : {}),
        ...(o.quiet !== undefined ? { quiet: o.quiet } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      }),
    );
  }
  const overbooked = await queryRows(o.databaseUrl, OVERBOOKED_SQL);
  const ledger = await queryRows(o.databaseUrl, LEDGER_SQL);
  writeFileSync(
    join(o.outDir, 'clinic-integrity.json'),
    `${JSON.stringify({ overbooked, ledger }, null, 2)}\n`,
  );
  return { runs, overbooked, ledger };
}
