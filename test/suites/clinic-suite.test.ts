/**
 * The clinic suite end to end on its quick profile: against the real service every check and
 * every threshold that does not measure time holds (latency targets are the main job's, see
 * test/helpers/machine-independent.ts); against the deliberately unsafe strategy it reaches NO-GO
 * with overbooking as the reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startClinic } from '../../services/clinic/app.ts';
import { migrate } from '../../services/clinic/migrate.ts';
import { ensureDatabase } from '../../services/shared/database.ts';
import type { PostgresHandle } from '../../services/shared/postgres.ts';
import { stopAll } from '../../src/suite/processes.ts';
import { startClinicProcess } from '../../suites/clinic/service-process.ts';
import { runClinicSuite } from '../../suites/clinic/suite.ts';
import { reasonsOnAnyMachine } from '../helpers/machine-independent.ts';
import { testPostgres } from '../helpers/postgres.ts';
import { unsafeStrategy } from '../services/doubles/unsafe-unit-operations.ts';

const SECRET = 'suite-test-secret-0123456789-0123456789';
let server: PostgresHandle;
before(async () => {
  server = await testPostgres();
});
after(async () => {
  await stopAll();
  await server.stop();
});

describe('clinic suite, quick profile', () => {
  it('the three scenarios against the clinic service: every check and count holds', async () => {
    const databaseUrl = server.databaseUrl('suite_go');
    await ensureDatabase(databaseUrl);
    const clinic = await startClinicProcess({ databaseUrl, secret: SECRET });
    const outDir = mkdtempSync(join(tmpdir(), 'loadproof-suite-'));
    const suite = await runClinicSuite({
      clinicUrl: clinic.url,
      databaseUrl,
      profile: 'quick',
      outDir,
      secret: new TextEncoder().encode(SECRET),
      quiet: true,
    });
    await clinic.stop();
    assert.deepEqual(
      suite.runs.map((r) => [r.name, reasonsOnAnyMachine(r.results)]),
      [
        ['clinic-contention', []],
        ['clinic-throughput', []],
        ['clinic-mixed', []],
      ],
    );
    const contention = suite.runs[0]?.results;
    assert.equal(
      contention?.requests.byStatus['200'],
      50,
      'exactly 5 reserves of 10 on each of the ten 50-unit authorizations',
    );
    for (const r of suite.runs)
      assert.ok(
        r.results.checks.every((c) => c.ok && c.runs >= 1),
        r.name,
      );
    assert.deepEqual(suite.overbooked, []);
    assert.deepEqual(suite.ledger, []);
  });

  it('against the unsafe strategy the contention scenario is NO-GO, naming the overbooking', async () => {
    const databaseUrl = server.databaseUrl('suite_unsafe');
    await ensureDatabase(databaseUrl);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    await migrate(pool, { skip: ['002_units_check'] });
    await pool.end();
    const unsafe = await startClinic({
      databaseUrl,
      secret: new TextEncoder().encode(SECRET),
      migrate: false,
      ...unsafeStrategy({ gapMs: 5 }),
    });
    try {
      const suite = await runClinicSuite({
        clinicUrl: unsafe.url,
        databaseUrl,
        profile: 'quick',
        outDir: mkdtempSync(join(tmpdir(), 'loadproof-suite-')),
        secret: new TextEncoder().encode(SECRET),
        only: ['clinic-contention'],
        workers: 2,
        quiet: true,
      });
      const r = suite.runs[0]?.results;
      assert.equal(r?.verdict.status, 'NO-GO');
      assert.ok(
        r?.verdict.reasons.some((x) => /^check no_overbooking failed/.test(x)),
        `reasons: ${r?.verdict.reasons.join('; ')}`,
      );
      assert.ok(suite.overbooked.length > 0, 'the final integrity check finds the overbooked authorizations');
    } finally {
      await unsafe.close();
    }
  });
});
