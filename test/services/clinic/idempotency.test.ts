/**
 * The clinic's Idempotency-Key on reserve, consume and release, against a real PostgreSQL: an
 * operation sent again with its key is done once and answered as the first time; the key used
 * for another operation is 422 naming the header; copies racing each other write once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { PostgresHandle } from '../../../services/shared/postgres.ts';
import { testPostgres } from '../../helpers/postgres.ts';
import { type ClinicUnderTest, clinicUnderTest, op, practitionerFor, unitsOf } from './helpers.ts';

let server: PostgresHandle;
let clinic: ClinicUnderTest;

before(async () => {
  server = await testPostgres();
  clinic = await clinicUnderTest(server, 'clinic_idempotency');
});
after(async () => {
  try {
    await clinic.close();
  } finally {
    await server.stop();
  }
});

async function ledgerRows(authId: string): Promise<number> {
  const { rows } = await clinic.db.query(
    'SELECT count(*)::int AS n FROM unit_ledger WHERE authorization_id = $1',
    [authId],
  );
  return rows[0].n;
}

describe('Idempotency-Key on unit operations', () => {
  it('reserve, consume and release each sent three times with its key: done once, answered alike', async () => {
    const auth = clinic.fixture.authorizationIds[0] as string;
    const practitioner = practitionerFor(clinic.fixture, auth);
    const before = await unitsOf(clinic.db, auth);
    const ledger = await ledgerRows(auth);
    for (const [operation, units] of [
      ['reserve', 3],
      ['consume', 1],
      ['release', 1],
    ] as const) {
      const key = { 'idempotency-key': `${operation}-${randomUUID()}` };
      const answers = [];
      for (let i = 0; i < 3; i++)
        answers.push(await op(clinic.url, practitioner, auth, operation, { units }, key));
      for (const a of answers) assert.equal(a.status, 200, `${operation}: ${JSON.stringify(a.body)}`);
      assert.deepEqual(answers[1]?.body, answers[0]?.body, operation);
      assert.deepEqual(answers[2]?.body, answers[0]?.body, operation);
      assert.equal(answers[0]?.headers.get('idempotent-replayed'), null);
      assert.equal(answers[2]?.headers.get('idempotent-replayed'), 'true');
    }
    const after = await unitsOf(clinic.db, auth);
    assert.equal(after.scheduled_units, before.scheduled_units + 3 - 1 - 1);
    assert.equal(after.used_units, before.used_units + 1);
    assert.equal(await ledgerRows(auth), ledger + 3);
  });

  it('the key of one operation sent with another: 422 naming the header, nothing written', async () => {
    const auth = clinic.fixture.authorizationIds[1] as string;
    const practitioner = practitionerFor(clinic.fixture, auth);
    const key = { 'idempotency-key': `reused-${randomUUID()}` };
    assert.equal((await op(clinic.url, practitioner, auth, 'reserve', { units: 1 }, key)).status, 200);
    const before = await unitsOf(clinic.db, auth);
    for (const [operation, units] of [
      ['reserve', 2],
      ['consume', 1],
    ] as const) {
      const r = await op(clinic.url, practitioner, auth, operation, { units }, key);
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.equal(r.body.error, 'idempotency_key_reused');
      assert.equal(r.body.field, 'Idempotency-Key');
    }
    assert.deepEqual(await unitsOf(clinic.db, auth), before);
    const bad = await op(clinic.url, practitioner, auth, 'reserve', { units: 1 }, { 'idempotency-key': '' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'Idempotency-Key');
  });

  it('20 copies of one keyed reserve at once, beside 20 unkeyed ones: the keyed one reserves once', async () => {
    const auth = clinic.fixture.authorizationIds[2] as string;
    const practitioner = practitionerFor(clinic.fixture, auth);
    const before = await unitsOf(clinic.db, auth);
    const key = { 'idempotency-key': `race-${randomUUID()}` };
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        op(clinic.url, practitioner, auth, 'reserve', { units: 1 }, i % 2 === 0 ? key : {}),
      ),
    );
    const ok = answers.filter((a) => a.status === 200);
    const keyedOk = answers.filter((a, i) => i % 2 === 0 && a.status === 200);
    assert.ok(keyedOk.length > 0, JSON.stringify(answers.map((a) => a.status)));
    assert.equal(new Set(keyedOk.map((a) => JSON.stringify(a.body))).size, 1, 'one answer for the key');
    const unkeyedOk = ok.length - keyedOk.length;
    const after = await unitsOf(clinic.db, auth);
    assert.equal(after.scheduled_units, before.scheduled_units + unkeyedOk + 1);
  });

  it('without a key, every request is an operation, as before', async () => {
    const auth = clinic.fixture.authorizationIds[4] as string;
    const practitioner = practitionerFor(clinic.fixture, auth);
    const before = await unitsOf(clinic.db, auth);
    for (let i = 0; i < 2; i++)
      assert.equal((await op(clinic.url, practitioner, auth, 'reserve', { units: 1 })).status, 200);
    assert.equal((await unitsOf(clinic.db, auth)).scheduled_units, before.scheduled_units + 2);
  });
});
