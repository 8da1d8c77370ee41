/**
 * Concurrency against a real PostgreSQL: exactly the successes the units allow, for both safe
 * strategies; and the unsafe strategy overbooks, so the integrity check is shown to catch it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PostgresHandle } from '../../../services/shared/postgres.ts';
import { queryRows } from '../../../src/checks/sql.ts';
import { LEDGER_SQL, OVERBOOKED_SQL } from '../../../suites/clinic/integrity.ts';
import { testPostgres } from '../../helpers/postgres.ts';
import { unsafeStrategy } from '../doubles/unsafe-unit-operations.ts';
import { type ClinicUnderTest, clinicUnderTest, op, practitionerFor, race, unitsOf } from './helpers.ts';

let server: PostgresHandle;
before(async () => {
  server = await testPostgres();
});
after(() => server.stop());

for (const strategy of ['serializable', 'row-lock'] as const) {
  describe(`${strategy}: racing requests`, () => {
    let c: ClinicUnderTest;
    before(async () => {
      c = await clinicUnderTest(server, `clinic_${strategy.replace('-', '_')}`, { strategy });
    });
    after(() => c.close());

    it('50 concurrent reserves of 10 on a 50-unit authorization: exactly 5 succeed, 45 get 409', async () => {
      const auth = c.fixture.highContentionAuthIds[0] as string;
      const token = practitionerFor(c.fixture, auth);
      const counts = await race(50, () => op(c.url, token, auth, 'reserve', { units: 10 }));
      assert.deepEqual(counts, { 200: 5, 409: 45 });
      assert.deepEqual(await unitsOf(c.db, auth), {
        total_units: 50,
        used_units: 0,
        scheduled_units: 50,
        status: 'ACTIVE',
      });
    });

    it('releases race the same way: 5 of 50 succeed, scheduled back to 0', async () => {
      const auth = c.fixture.highContentionAuthIds[0] as string;
      const token = practitionerFor(c.fixture, auth);
      const counts = await race(50, () => op(c.url, token, auth, 'release', { units: 10 }));
      assert.deepEqual(counts, { 200: 5, 409: 45 });
      assert.equal((await unitsOf(c.db, auth)).scheduled_units, 0);
    });

    it('consumes race: 5 of 20 succeed and the authorization ends EXHAUSTED', async () => {
      const auth = c.fixture.highContentionAuthIds[1] as string;
      const token = practitionerFor(c.fixture, auth);
      assert.deepEqual(await race(5, () => op(c.url, token, auth, 'reserve', { units: 10 })), { 200: 5 });
      const counts = await race(20, () => op(c.url, token, auth, 'consume', { units: 10 }));
      assert.deepEqual(counts, { 200: 5, 409: 15 });
      assert.deepEqual(await unitsOf(c.db, auth), {
        total_units: 50,
        used_units: 50,
        scheduled_units: 0,
        status: 'EXHAUSTED',
      });
      const after = await op(c.url, token, auth, 'reserve', { units: 1 });
      assert.equal(after.status, 409);
      assert.equal(after.body.status, 'EXHAUSTED');
    });

    it('the ledger reconciles and nothing is overbooked', async () => {
      assert.deepEqual(
        await queryRows(server.databaseUrl(`clinic_${strategy.replace('-', '_')}`), OVERBOOKED_SQL),
        [],
      );
      assert.deepEqual(
        await queryRows(server.databaseUrl(`clinic_${strategy.replace('-', '_')}`), LEDGER_SQL),
        [],
      );
      const { rows } = await c.db.query(
        "SELECT count(*)::int AS n FROM unit_ledger WHERE operation = 'RESERVE'",
      );
      assert.equal(rows[0].n, 10, 'one ledger row per acknowledged reserve (5 + 5)');
    });
  });
}

describe('serializable: operations on distinct authorizations do not conflict', () => {
  let c: ClinicUnderTest;
  before(async () => {
    // A transaction per operation, all at once: what several instances of the service would
    // send. (One instance's group commit runs one transaction at a time, which cannot conflict.)
    c = await clinicUnderTest(server, 'clinic_distinct', { txConcurrency: 20, maxGroup: 1 });
  });
  after(() => c.close());

  it('4 rounds of concurrent reserves on 25 authorizations: every one succeeds, none retried', async () => {
    // Each reads its row by primary key and updates it in place (HOT): nothing another
    // transaction read is written. Reading through the organization index (every row of the
    // organization) or updating rows on full pages (new index entries in the index page all
    // readers lock) made 5-90 of these 100 retry.
    const auths = c.fixture.authorizations.filter((a) => a.totalUnits === 1000);
    assert.equal(auths.length, 25);
    const statuses: number[] = [];
    for (let round = 0; round < 4; round++) {
      const results = await Promise.all(
        auths.map((a) => op(c.url, practitionerFor(c.fixture, a.id), a.id, 'reserve', { units: 1 })),
      );
      statuses.push(...results.map((r) => r.status));
    }
    assert.deepEqual(statuses, Array(100).fill(200));
    const metrics = await fetch(`${c.url}/metrics`, {
      headers: { authorization: `Bearer ${c.fixture.admins[0]?.token}` },
    }).then((r) => r.text());
    const retries = Number(/^clinic_tx_retries_total (\d+)$/m.exec(metrics)?.[1]);
    assert.equal(retries, 0, `${retries} transactions retried for 100 operations on distinct rows`);
    assert.match(metrics, /^clinic_tx_committed_total 100$/m);
    assert.match(metrics, /^clinic_tx_operations_total 100$/m);
  });
});

describe('unsafe strategy (test only): the integrity check can fail', () => {
  let c: ClinicUnderTest;
  before(async () => {
    // No units CHECK constraint (migration 002): nothing in the database hides the race.
    c = await clinicUnderTest(server, 'clinic_unsafe', {
      ...unsafeStrategy({ gapMs: 20 }),
      skipMigrations: ['002_units_check'],
    });
  });
  after(() => c.close());

  it('reads then writes without a lock: more than 5 reserves succeed and the check reports overbooking', async () => {
    const auth = c.fixture.highContentionAuthIds[0] as string;
    const token = practitionerFor(c.fixture, auth);
    const counts = await race(50, () => op(c.url, token, auth, 'reserve', { units: 10 }));
    assert.ok((counts[200] ?? 0) > 5, `expected lost updates, got ${JSON.stringify(counts)}`);
    const overbooked = await queryRows(server.databaseUrl('clinic_unsafe'), OVERBOOKED_SQL);
    assert.equal(overbooked.length, 1, 'the integrity check names the overbooked authorization');
    assert.equal(overbooked[0]?.id, auth);
    assert.equal(overbooked[0]?.overbooked_by, ((counts[200] ?? 0) - 5) * 10);
  });
});
