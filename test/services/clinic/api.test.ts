/**
 * The clinic API's edges: who may do what, what is valid, retries and rate limits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import pg from 'pg';
import { signToken } from '../../../services/clinic/auth.ts';
import { migrate } from '../../../services/clinic/migrate.ts';
import type { PostgresHandle } from '../../../services/shared/postgres.ts';
import { testPostgres } from '../../helpers/postgres.ts';
import { serializationFailures } from '../doubles/flaky-unit-operations.ts';
import { type ClinicUnderTest, clinicUnderTest, op, practitionerFor, SECRET } from './helpers.ts';

let server: PostgresHandle;
let c: ClinicUnderTest;
let auth: string;
let token: string;
before(async () => {
  server = await testPostgres();
  c = await clinicUnderTest(server, 'clinic_api', { rateLimit: { max: 1000, windowMs: 60_000 } });
  auth = c.fixture.authorizationIds[20] as string;
  token = practitionerFor(c.fixture, auth);
});
after(async () => {
  await c.close();
  await server.stop();
});

describe('access', () => {
  it('no token, a malformed one, a bad signature, alg none and an expired token: 401', async () => {
    const org = c.fixture.authorizations.find((a) => a.id === auth)?.organizationId as string;
    const userId = c.fixture.practitioners.find((p) => p.organizationId === org)?.userId as string;
    const [h, p] = token.split('.') as [string, string];
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    const otherKey = await signToken(new TextEncoder().encode('another-secret-that-is-long-enough-000000'), {
      userId,
      organizationId: org,
      role: 'PRACTITIONER',
    });
    const expired = await new SignJWT({ org, role: 'PRACTITIONER' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(SECRET);
    for (const [label, t] of [
      ['none', undefined],
      ['malformed', 'not-a-jwt'],
      ['bad signature', otherKey],
      ['alg none', none],
      ['tampered', `${h}.${p}x.${token.split('.')[2]}`],
      ['expired', expired],
    ] as const) {
      const r = await op(c.url, t, auth, 'reserve', { units: 1 });
      assert.equal(r.status, 401, label);
      assert.equal(r.body.error, 'unauthorized', label);
    }
  });

  it('another organization: 404, so existence does not leak; a role without the right: 403', async () => {
    const org = c.fixture.authorizations.find((a) => a.id === auth)?.organizationId;
    const other = c.fixture.practitioners.find((p) => p.organizationId !== org)?.token as string;
    const r = await op(c.url, other, auth, 'reserve', { units: 1 });
    assert.equal(r.status, 404);
    const get = await fetch(`${c.url}/api/authorizations/${auth}`, {
      headers: { authorization: `Bearer ${other}` },
    });
    assert.equal(get.status, 404);
    const patient = await signToken(SECRET, {
      userId: c.fixture.admins[0]?.userId as string,
      organizationId: org as string,
      role: 'PATIENT',
    });
    assert.equal((await op(c.url, patient, auth, 'reserve', { units: 1 })).status, 403);
  });

  it('every operation is in the ledger with its user', async () => {
    const r = await op(c.url, token, auth, 'reserve', { units: 3 });
    assert.equal(r.status, 200);
    assert.equal(r.body.scheduled_units, 3);
    const user = c.fixture.practitioners.find((p) => p.token === token)?.userId;
    const { rows } = await c.db.query(
      'SELECT user_id, operation, units, scheduled_before, scheduled_after FROM unit_ledger WHERE authorization_id = $1',
      [auth],
    );
    assert.deepEqual(rows, [
      { user_id: user, operation: 'RESERVE', units: 3, scheduled_before: 0, scheduled_after: 3 },
    ]);
  });
});

describe('validation', () => {
  it('units must be a positive integer: 400 naming the field', async () => {
    for (const body of [
      { units: 0 },
      { units: -1 },
      { units: 1.5 },
      { units: '5' },
      {},
      { units: null },
      [1],
    ]) {
      const r = await op(c.url, token, auth, 'reserve', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.field, 'units');
    }
  });

  it('malformed JSON 400, over 16 KiB 413, unknown routes 404, no stack traces', async () => {
    const bad = await op(c.url, token, auth, 'reserve', '{"units": ');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'malformed_json');
    const big = await op(
      c.url,
      token,
      auth,
      'reserve',
      JSON.stringify({ units: 1, pad: 'x'.repeat(17_000) }),
    );
    assert.equal(big.status, 413);
    assert.equal((await op(c.url, token, auth, 'teleport', { units: 1 })).status, 404);
    const unknown = await fetch(`${c.url}/nowhere`);
    assert.equal(unknown.status, 404);
    for (const r of [bad, big]) assert.ok(!JSON.stringify(r.body).includes('    at '), 'no stack trace');
  });

  it('an expired authorization answers 409 with its status', async () => {
    const expired = c.fixture.authorizationIds[30] as string;
    await c.db.query('UPDATE authorizations SET end_date = current_date - 1 WHERE id = $1', [expired]);
    const r = await op(c.url, practitionerFor(c.fixture, expired), expired, 'reserve', { units: 1 });
    assert.equal(r.status, 409);
    assert.equal(r.body.status, 'EXPIRED');
  });

  it('a conflict says why: available and requested', async () => {
    const small = c.fixture.highContentionAuthIds[3] as string;
    const r = await op(c.url, practitionerFor(c.fixture, small), small, 'reserve', { units: 51 });
    assert.equal(r.status, 409);
    assert.deepEqual([r.body.available, r.body.requested], [50, 51]);
  });
});

describe('retries and limits', () => {
  it('a serialization failure is retried and counted; when retries run out: 503 with Retry-After', async () => {
    let failures = 2;
    const flaky = await clinicUnderTest(server, 'clinic_retry', {
      migrate: false,
      ...serializationFailures(() => failures-- > 0),
    });
    try {
      const a = flaky.fixture.authorizationIds[25] as string;
      const t = practitionerFor(flaky.fixture, a);
      assert.equal((await op(flaky.url, t, a, 'reserve', { units: 1 })).status, 200);
      const admin = { authorization: `Bearer ${flaky.fixture.admins[0]?.token}` };
      let metrics = await (await fetch(`${flaky.url}/metrics`, { headers: admin })).text();
      assert.match(metrics, /^clinic_tx_retries_total 2$/m);
      failures = 1000;
      const r = await op(flaky.url, t, a, 'reserve', { units: 1 });
      assert.equal(r.status, 503);
      assert.equal(r.headers.get('retry-after'), '1');
      metrics = await (await fetch(`${flaky.url}/metrics`, { headers: admin })).text();
      assert.match(metrics, /^clinic_tx_retries_exhausted_total 1$/m);
      assert.match(metrics, /^clinic_tx_retries_total 6$/m, '2 before, then 4 more (5 attempts)');
    } finally {
      await flaky.close();
    }
  });

  it('rate limiting per token: 429 with Retry-After past the limit', async () => {
    const limited = await clinicUnderTest(server, 'clinic_limited', {
      rateLimit: { max: 3, windowMs: 60_000 },
    });
    try {
      const a = limited.fixture.authorizationIds[40] as string;
      const t = practitionerFor(limited.fixture, a);
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await op(limited.url, t, a, 'reserve', { units: 1 })).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      const r = await op(limited.url, t, a, 'reserve', { units: 1 });
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
    } finally {
      await limited.close();
    }
  });

  it('migrations are recorded and applying them again does nothing', async () => {
    const pool = new pg.Pool({ connectionString: server.databaseUrl('clinic_api'), max: 1 });
    try {
      assert.deepEqual(await migrate(pool), []);
      const { rows } = await pool.query('SELECT name FROM schema_migrations ORDER BY name');
      assert.deepEqual(
        rows.map((r) => r.name),
        [
          '001_schema',
          '002_units_check',
          '003_index_scans_for_ssi',
          '004_pk_lookup_and_hot_room',
          '005_idempotency_keys',
        ],
      );
    } finally {
      await pool.end();
    }
  });

  it('/health answers without a token; /metrics only an admin', async () => {
    assert.equal((await fetch(`${c.url}/health`)).status, 200);
    assert.equal((await fetch(`${c.url}/metrics`)).status, 401);
    const practitioner = practitionerFor(c.fixture, c.fixture.authorizationIds[0] as string);
    const denied = await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${practitioner}` } });
    assert.equal(denied.status, 403);
    assert.equal(((await denied.json()) as { error: string }).error, 'forbidden');
    const admin = { authorization: `Bearer ${c.fixture.admins[0]?.token}` };
    const m = await (await fetch(`${c.url}/metrics`, { headers: admin })).text();
    assert.match(m, /clinic_db_pool_connections\{state="max"\} 20/);
  });
});
