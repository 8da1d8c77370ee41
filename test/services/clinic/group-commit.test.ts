/**
 * Group commit (services/clinic/units.ts) against a real PostgreSQL: operations that wait for a
 * transaction share the next one, and each is still applied, answered and written to the ledger
 * as if it had run alone; failures reach only the operations they concern.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { migrate } from '../../../services/clinic/migrate.ts';
import {
  type OperationResult,
  type Strategy,
  UnitOperations,
  type UnitOperationsOptions,
} from '../../../services/clinic/units.ts';
import { ensureDatabase } from '../../../services/shared/database.ts';
import type { PostgresHandle } from '../../../services/shared/postgres.ts';
import { LEDGER_SQL } from '../../../suites/clinic/integrity.ts';
import { type ClinicFixture, seedClinic } from '../../../suites/clinic/seed-data.ts';
import { testPostgres } from '../../helpers/postgres.ts';
import { FlakyUnitOperations } from '../doubles/flaky-unit-operations.ts';
import { SECRET } from './helpers.ts';

let server: PostgresHandle;
before(async () => {
  server = await testPostgres();
});
after(() => server.stop());

interface Setup {
  pool: pg.Pool;
  fixture: ClinicFixture;
  /** The 25 authorizations of 1000 units, with a practitioner of their organization. */
  targets: { id: string; org: string; user: string }[];
}

async function setup(database: string): Promise<Setup> {
  const url = server.databaseUrl(database);
  await ensureDatabase(url);
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  await migrate(pool);
  const fixture = await seedClinic(url, SECRET);
  const targets = fixture.authorizations
    .filter((a) => a.totalUnits === 1000)
    .map((a) => {
      const p = fixture.practitioners.find((x) => x.organizationId === a.organizationId);
      return { id: a.id, org: a.organizationId, user: p?.userId as string };
    });
  return { pool, fixture, targets };
}

/**
 * Operations started in one tick; the transactions' sizes as they committed. `failNow`: a
 * transaction fails to serialize whenever it says so (the flaky double).
 */
function operations(
  strategy: Strategy,
  s: Setup,
  extra: Partial<UnitOperationsOptions> = {},
  failNow?: () => boolean,
) {
  const sizes: number[] = [];
  let retries = 0;
  const options: UnitOperationsOptions = {
    pool: s.pool,
    strategy,
    onTransaction: (n) => sizes.push(n),
    onRetry: () => retries++,
    ...extra,
  };
  const ops = failNow ? new FlakyUnitOperations(options, failNow) : new UnitOperations(options);
  return { ops, sizes, retries: () => retries };
}

async function ledgerRows(pool: pg.Pool) {
  const { rows } = await pool.query(
    'SELECT authorization_id, operation, units, scheduled_before, scheduled_after FROM unit_ledger ORDER BY id',
  );
  return rows as {
    authorization_id: string;
    units: number;
    scheduled_before: number;
    scheduled_after: number;
  }[];
}

for (const strategy of ['serializable', 'row-lock'] as const) {
  describe(`${strategy}: group commit`, () => {
    let s: Setup;
    before(async () => {
      s = await setup(`clinic_group_${strategy.replace('-', '_')}`);
    });
    after(() => s.pool.end());

    it('operations arriving while a transaction is in flight share the next; each is applied as if alone', async () => {
      const { ops, sizes } = operations(strategy, s);
      // Twice over the 25 authorizations, each reserving a different number of units, so that
      // every answer and ledger row can be told apart.
      for (let round = 1; round <= 2; round++) {
        const results = await Promise.all(
          s.targets.map((t, i) => ops.apply(t.id, t.org, t.user, 'RESERVE', i + 1)),
        );
        results.forEach((r, i) => {
          assert.equal(r.result, 'ok', JSON.stringify(r));
          const a = (r as Extract<OperationResult, { result: 'ok' }>).authorization;
          assert.equal(a.id, s.targets[i]?.id);
          assert.equal(a.scheduled_units, (i + 1) * round);
        });
      }
      // The first operation finds nothing in flight and goes alone; the other 24 wait for it
      // and go in groups of at most 16.
      assert.deepEqual(sizes, [1, 16, 8, 1, 16, 8]);
      const ledger = await ledgerRows(s.pool);
      assert.equal(ledger.length, 50);
      for (const [i, t] of s.targets.entries()) {
        const rows = ledger.filter((l) => l.authorization_id === t.id);
        assert.deepEqual(
          rows.map((l) => [l.units, l.scheduled_before, l.scheduled_after]),
          [
            [i + 1, 0, i + 1],
            [i + 1, i + 1, 2 * (i + 1)],
          ],
        );
      }
      const { rows: unreconciled } = await s.pool.query(LEDGER_SQL);
      assert.deepEqual(unreconciled, []);
    });

    it('maxGroup 1: every operation in a transaction of its own', async () => {
      const { ops, sizes } = operations(strategy, s, { maxGroup: 1, concurrency: 4 });
      const results = await Promise.all(s.targets.map((t) => ops.apply(t.id, t.org, t.user, 'RESERVE', 1)));
      assert.deepEqual(
        results.map((r) => r.result),
        Array(25).fill('ok'),
      );
      assert.deepEqual(sizes, Array(25).fill(1));
    });
  });
}

describe('group commit: failures', () => {
  let s: Setup;
  before(async () => {
    s = await setup('clinic_group_failures');
  });
  after(() => s.pool.end());

  it('an error of one operation reaches only it: the others of its group are applied', async () => {
    const bad = s.targets[5]?.id as string;
    // An error that only one authorization raises (not a conflict, so not retried).
    await s.pool.query(`
      CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id = '${bad}' THEN RAISE EXCEPTION 'refused for the test'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_one BEFORE UPDATE ON authorizations FOR EACH ROW EXECUTE FUNCTION refuse_one();`);
    try {
      const { ops, sizes } = operations('serializable', s);
      const before = (await ledgerRows(s.pool)).length;
      const results = await Promise.allSettled(
        s.targets.slice(0, 10).map((t) => ops.apply(t.id, t.org, t.user, 'RESERVE', 1)),
      );
      results.forEach((r, i) => {
        if (i === 5) {
          assert.equal(r.status, 'rejected');
          assert.match(String((r as PromiseRejectedResult).reason), /refused for the test/);
        } else {
          assert.equal(r.status, 'fulfilled');
          assert.equal((r as PromiseFulfilledResult<OperationResult>).value.result, 'ok');
        }
      });
      // The first alone; the group of the other 9 failed, and each of them went again alone.
      assert.deepEqual(sizes, Array(9).fill(1));
      assert.equal((await ledgerRows(s.pool)).length - before, 9);
    } finally {
      await s.pool.query('DROP TRIGGER refuse_one ON authorizations; DROP FUNCTION refuse_one()');
    }
  });

  it('a group that fails on a serialization failure is retried whole, once counted, applied once', async () => {
    let calls = 0;
    // The second transaction (the group of 9 waiting behind the first) fails once.
    const { ops, sizes, retries } = operations('serializable', s, {}, () => ++calls === 2);
    const before = await ledgerRows(s.pool);
    const results = await Promise.all(
      s.targets.slice(10, 20).map((t) => ops.apply(t.id, t.org, t.user, 'RESERVE', 3)),
    );
    assert.deepEqual(
      results.map((r) => r.result),
      Array(10).fill('ok'),
    );
    assert.equal(retries(), 1);
    assert.deepEqual(sizes, [1, 9]);
    const added = (await ledgerRows(s.pool)).slice(before.length);
    assert.equal(added.length, 10, 'each operation written to the ledger once');
    const { rows: unreconciled } = await s.pool.query(LEDGER_SQL);
    assert.deepEqual(unreconciled, []);
  });
});
