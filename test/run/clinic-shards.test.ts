/**
 * Integrity under a sharded run: the clinic's high-contention scenario run as 2 shards started
 * together against the real service and PostgreSQL, then merged with the plan. Still exactly 5
 * reserves of 10 units per 50-unit authorization, and the plan's checks after the load (the
 * ledger, no overbooking, five reserves each on the merged counters) hold at the merge.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureDatabase } from '../../services/shared/database.ts';
import type { PostgresHandle } from '../../services/shared/postgres.ts';
import { queryRows } from '../../src/checks/sql.ts';
import { stopAll } from '../../src/suite/processes.ts';
import { OVERBOOKED_SQL } from '../../suites/clinic/integrity.ts';
import { seedClinic, writeFixture } from '../../suites/clinic/seed-data.ts';
import { startClinicProcess } from '../../suites/clinic/service-process.ts';
import { outsideDir, readResults, runCli } from '../helpers/cli.ts';
import { testPostgres } from '../helpers/postgres.ts';

const SECRET = 'shard-test-secret-0123456789-0123456789';
const PLAN = new URL('../../suites/clinic/plans/contention.ts', import.meta.url).pathname;
let server: PostgresHandle;
before(async () => {
  server = await testPostgres();
});
after(async () => {
  await stopAll();
  await server.stop();
});

describe('the clinic contention scenario as 2 shards', () => {
  it('exactly 5 reserves per authorization, and the checks hold after the merge', async () => {
    const databaseUrl = server.databaseUrl('clinic_shards');
    await ensureDatabase(databaseUrl);
    const clinic = await startClinicProcess({ databaseUrl, secret: SECRET });
    const dir = outsideDir();
    // A fixture of its own: the clinic suite test seeds the shared one while this file runs.
    const fixtureFile = join(dir, 'test-data.json');
    writeFixture(await seedClinic(databaseUrl, new TextEncoder().encode(SECRET)), fixtureFile);
    const env = {
      ...process.env,
      LOADPROOF_PROFILE: 'quick',
      CLINIC_URL: clinic.url,
      DATABASE_URL: databaseUrl,
      CLINIC_FIXTURE: fixtureFile,
    };
    const startAt = new Date(Date.now() + 15_000).toISOString();
    const shards = await Promise.all(
      [0, 1].map((i) =>
        runCli(
          [
            'run',
            PLAN,
            '--shard',
            `${i}/2`,
            '--start-at',
            startAt,
            '--workers',
            '1',
            '--quiet',
            '--out',
            join(dir, `shard-${i}`),
          ],
          {
            env,
            timeoutMs: 120_000,
          },
        ),
      ),
    );
    for (const [i, r] of shards.entries()) assert.equal(r.code, 0, `shard ${i}: ${r.stderr}`);
    const merged = await runCli(
      [
        'merge',
        join(dir, 'shard-0', 'results.json'),
        join(dir, 'shard-1', 'results.json'),
        '--plan',
        PLAN,
        '--out',
        join(dir, 'merged'),
      ],
      { env, timeoutMs: 120_000 },
    );
    await clinic.stop();
    const m = readResults(join(dir, 'merged'));
    const s0 = readResults(join(dir, 'shard-0'));
    const s1 = readResults(join(dir, 'shard-1'));
    assert.ok(s0.requests.total > 0 && s1.requests.total > 0, 'both shards sent load');
    assert.equal(
      m.requests.byStatus['200'],
      50,
      'exactly 5 reserves of 10 on each of the ten 50-unit authorizations',
    );
    assert.deepEqual(
      m.checks.map((c) => [c.name, c.ok]),
      m.checks.map((c) => [c.name, true]),
      `${merged.stderr}\n${JSON.stringify(m.checks.filter((c) => !c.ok))}`,
    );
    assert.ok(
      m.checks.some((c) => c.name === 'five_reserves_each' && c.runs >= 1),
      'the merged counters were checked',
    );
    assert.deepEqual(await queryRows(databaseUrl, OVERBOOKED_SQL), []);
    // A latency threshold may miss on a loaded machine; integrity never may.
    assert.ok(
      m.verdict.reasons.every((r) => /threshold http_req_duration/.test(r)),
      m.verdict.reasons.join('\n'),
    );
  });
});
