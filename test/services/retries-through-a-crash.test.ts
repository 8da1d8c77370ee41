/**
 * Retries through a PostgreSQL crash: a few hundred logical writes to each service from small
 * client loops on loopback, each retried with the same event id (rehab) or Idempotency-Key
 * (clinic) after every 503, every connection error and every request cut off by the client's
 * timeout, while PostgreSQL is stopped at once mid-load (an immediate shutdown: no checkpoint,
 * recovery at the next start) and started again. Then the database is counted: each logical
 * write exactly once, at the position or with the effect its acknowledgement named.
 *
 * A crash rarely falls between a commit and its answer (without ids, 1 duplicate in 4 runs of
 * the load above), so a second test makes that case certain: a session holds the lock every
 * write waits for, each client gives up after a second and sends again, and the retries queue
 * behind first attempts still in PostgreSQL (without ids: 80 events stored for 20).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { LOG_LOCK } from '../../services/rehab/writer.ts';
import { freePort, type PostgresHandle, startPostgres } from '../../services/shared/postgres.ts';
import { type ClinicUnderTest, clinicUnderTest, practitionerFor } from './clinic/helpers.ts';
import { consentGrant, freshDatabase, logCounts, rep, startService, token } from './rehab/helpers.ts';

const REHAB_WRITES = 300;
const CLINIC_WRITES = 200;
const CLIENTS_PER_SERVICE = 8;
/** A request not answered within this is cut off by the client and sent again. */
const CLIENT_TIMEOUT_MS = 3000;
/** The whole load, outage included, ends within this or the test fails. */
const LOAD_DEADLINE_MS = 150_000;

const dataDir = mkdtempSync(join(tmpdir(), 'loadproof-crash-'));
let port: number;
let server: PostgresHandle;
let clinic: ClinicUnderTest;
let rehab: Awaited<ReturnType<typeof startService>>;
let rehabDb: pg.Pool;

before(async () => {
  port = await freePort();
  server = await startPostgres({ dataDir, port, forceEmbedded: true });
  clinic = await clinicUnderTest(server, 'clinic_crash', { log: () => {} });
  clinic.db.on('error', () => {});
  const url = await freshDatabase(server, 'rehab_crash');
  rehab = await startService(url, { log: () => {}, onError: () => {}, batchTimeoutMs: 100 });
  rehabDb = new pg.Pool({ connectionString: url, max: 2 });
  rehabDb.on('error', () => {});
});
after(async () => {
  try {
    await rehab?.close();
    await clinic?.close();
    await rehabDb?.end();
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

interface Tally {
  acknowledged: number;
  unavailable: number;
  cutOff: number;
  refused: string[];
}

/** Sends one logical write until it is acknowledged (2xx); 503s and cut-off requests are retried. */
async function untilAcknowledged(
  send: (signal: AbortSignal) => Promise<Response>,
  tally: Tally,
  deadline: number,
  timeoutMs = CLIENT_TIMEOUT_MS,
): Promise<any> {
  while (Date.now() < deadline) {
    let res: Response;
    let body: string;
    try {
      res = await send(AbortSignal.timeout(timeoutMs));
      body = await res.text();
    } catch {
      tally.cutOff++;
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    if (res.status === 503) {
      tally.unavailable++;
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    if (res.ok) {
      tally.acknowledged++;
      return JSON.parse(body);
    }
    tally.refused.push(`${res.status} ${body.slice(0, 200)}`);
    return undefined;
  }
  return undefined;
}

/** Runs `count` writes over `clients` loops; each loop takes the next write when one is done. */
async function load<T>(count: number, clients: number, write: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await write(i);
      }
    }),
  );
  return results;
}

describe('retries with the same key through a PostgreSQL crash', () => {
  it('each logical write is stored exactly once, where its acknowledgement says', async () => {
    const deadline = Date.now() + LOAD_DEADLINE_MS;
    const admin = await token('admin', 'admin-crash');
    const devices = await Promise.all(Array.from({ length: 4 }, (_, i) => token('device', `crash-p${i}`)));
    for (let i = 0; i < devices.length; i++) {
      const r = await fetch(`${rehab.url}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify(consentGrant(`crash-p${i}`)),
      });
      assert.equal(r.status, 201);
    }
    const big = clinic.fixture.authorizations.filter((a) => a.totalUnits === 1000).slice(0, 4);
    assert.equal(big.length, 4);
    const scheduledBefore = await clinic.db.query(
      'SELECT coalesce(sum(scheduled_units), 0)::int AS n FROM authorizations WHERE id = ANY($1::uuid[])',
      [big.map((a) => a.id)],
    );
    const ledgerBefore = await clinic.db.query('SELECT count(*)::int AS n FROM unit_ledger');

    const rehabTally: Tally = { acknowledged: 0, unavailable: 0, cutOff: 0, refused: [] };
    const clinicTally: Tally = { acknowledged: 0, unavailable: 0, cutOff: 0, refused: [] };
    const eventIds = Array.from({ length: REHAB_WRITES }, () => randomUUID());
    const keys = Array.from({ length: CLINIC_WRITES }, () => `reserve-${randomUUID()}`);

    // The crash: once a third of all writes are acknowledged, PostgreSQL stops at once; it is
    // started again on the same data after a second and a half.
    const crashAt = Math.floor((REHAB_WRITES + CLINIC_WRITES) / 3);
    let acknowledgedAtCrash = -1;
    const outage = (async () => {
      while (rehabTally.acknowledged + clinicTally.acknowledged < crashAt && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      acknowledgedAtCrash = rehabTally.acknowledged + clinicTally.acknowledged;
      await server.stop({ crash: true });
      await new Promise((r) => setTimeout(r, 1500));
      server = await startPostgres({ dataDir, port, forceEmbedded: true });
    })();

    const [rehabAcks, clinicAcks] = await Promise.all([
      load(REHAB_WRITES, CLIENTS_PER_SERVICE, (i) => {
        const subject = `crash-p${i % devices.length}`;
        const event = { ...rep(subject, `crash-s${i % 10}`, (i % 1000) + 1), event_id: eventIds[i] };
        return untilAcknowledged(
          (signal) =>
            fetch(`${rehab.url}/api/v1/events`, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${devices[i % devices.length]}`,
              },
              body: JSON.stringify(event),
              signal,
            }),
          rehabTally,
          deadline,
        );
      }),
      load(CLINIC_WRITES, CLIENTS_PER_SERVICE, (i) => {
        const auth = big[i % big.length] as { id: string };
        return untilAcknowledged(
          (signal) =>
            fetch(`${clinic.url}/api/authorizations/${auth.id}/reserve`, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${practitionerFor(clinic.fixture, auth.id)}`,
                'idempotency-key': keys[i] as string,
              },
              body: JSON.stringify({ units: 1 }),
              signal,
            }),
          clinicTally,
          deadline,
        );
      }),
    ]);
    await outage;
    const summary = JSON.stringify({ acknowledgedAtCrash, rehab: rehabTally, clinic: clinicTally });
    assert.deepEqual(rehabTally.refused, [], summary);
    assert.deepEqual(clinicTally.refused, [], summary);
    assert.equal(rehabTally.acknowledged, REHAB_WRITES, summary);
    assert.equal(clinicTally.acknowledged, CLINIC_WRITES, summary);
    assert.ok(acknowledgedAtCrash < REHAB_WRITES + CLINIC_WRITES, `the crash came mid-load: ${summary}`);
    assert.ok(
      rehabTally.unavailable + rehabTally.cutOff > 0 && clinicTally.unavailable + clinicTally.cutOff > 0,
      `both services' clients retried: ${summary}`,
    );

    // rehab: every event once, at the position its (last) acknowledgement named.
    const { rows } = await rehabDb.query(
      'SELECT event_id::text AS id, position FROM events WHERE event_id = ANY($1::uuid[])',
      [eventIds],
    );
    assert.equal(rows.length, REHAB_WRITES, summary);
    const positions = new Map(rows.map((r) => [r.id as string, Number(r.position)]));
    rehabAcks.forEach((ack, i) => {
      assert.equal(ack.event_id, eventIds[i]);
      assert.equal(ack.stream_position, positions.get(eventIds[i] as string), `event ${i}`);
    });
    const counts = await logCounts(rehabDb);
    assert.equal(counts.distinct_ids, counts.events);

    // clinic: every reserve once: one key, one ledger row and one unit each.
    const kept = await clinic.db.query(
      'SELECT count(*)::int AS n FROM idempotency_keys WHERE key = ANY($1)',
      [keys],
    );
    assert.equal(kept.rows[0].n, CLINIC_WRITES, summary);
    const ledgerAfter = await clinic.db.query('SELECT count(*)::int AS n FROM unit_ledger');
    assert.equal(ledgerAfter.rows[0].n - ledgerBefore.rows[0].n, CLINIC_WRITES, summary);
    const scheduledAfter = await clinic.db.query(
      'SELECT coalesce(sum(scheduled_units), 0)::int AS n FROM authorizations WHERE id = ANY($1::uuid[])',
      [big.map((a) => a.id)],
    );
    assert.equal(scheduledAfter.rows[0].n - scheduledBefore.rows[0].n, CLINIC_WRITES, summary);
    assert.equal(clinicAcks.length, CLINIC_WRITES);

    // And the projections hold each event once too, once the pipeline has caught up.
    const until = Date.now() + 30_000;
    let projected = await logCounts(rehabDb);
    while (projected.projected !== projected.events && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      projected = await logCounts(rehabDb);
    }
    assert.equal(projected.projected, projected.events, JSON.stringify(projected));
    assert.equal(projected.projected_reps, projected.reps, JSON.stringify(projected));
    console.log(`retries-through-a-crash: ${summary}`);
  });

  it('requests cut off while their first attempt waits for a lock, sent again and again: each stored once', async () => {
    // A session holds what the writes need (rehab's log lock, the clinic row), so every first
    // attempt waits in PostgreSQL while its client gives up after a second and sends it again;
    // the retries queue behind the first attempts. Then the locks go.
    const deadline = Date.now() + LOAD_DEADLINE_MS;
    const device = await token('device', 'held-p');
    const granted = await fetch(`${rehab.url}/api/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await token('admin', 'admin-held')}`,
      },
      body: JSON.stringify(consentGrant('held-p')),
    });
    assert.equal(granted.status, 201);
    const auth = clinic.fixture.authorizations.filter((a) => a.totalUnits === 1000)[5] as { id: string };
    const rehabHolder = await rehabDb.connect();
    const clinicHolder = await clinic.db.connect();
    rehabHolder.on('error', () => {});
    clinicHolder.on('error', () => {});
    const scheduledBefore = (
      await clinic.db.query('SELECT scheduled_units FROM authorizations WHERE id = $1', [auth.id])
    ).rows[0].scheduled_units as number;
    await rehabHolder.query('BEGIN');
    await rehabHolder.query('SELECT pg_advisory_xact_lock($1)', [LOG_LOCK]);
    await clinicHolder.query('BEGIN');
    await clinicHolder.query('SELECT 1 FROM authorizations WHERE id = $1 FOR UPDATE', [auth.id]);

    const rehabTally: Tally = { acknowledged: 0, unavailable: 0, cutOff: 0, refused: [] };
    const clinicTally: Tally = { acknowledged: 0, unavailable: 0, cutOff: 0, refused: [] };
    const eventIds = Array.from({ length: 20 }, () => randomUUID());
    const keys = Array.from({ length: 10 }, () => `held-${randomUUID()}`);
    const release = (async () => {
      await new Promise((r) => setTimeout(r, 3500));
      await rehabHolder.query('COMMIT');
      await clinicHolder.query('COMMIT');
      rehabHolder.release();
      clinicHolder.release();
    })();
    await Promise.all([
      ...eventIds.map((event_id, i) =>
        untilAcknowledged(
          (signal) =>
            fetch(`${rehab.url}/api/v1/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${device}` },
              body: JSON.stringify({ ...rep('held-p', `held-s${i}`, 1), event_id }),
              signal,
            }),
          rehabTally,
          deadline,
          1000,
        ),
      ),
      ...keys.map((key) =>
        untilAcknowledged(
          (signal) =>
            fetch(`${clinic.url}/api/authorizations/${auth.id}/reserve`, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${practitionerFor(clinic.fixture, auth.id)}`,
                'idempotency-key': key,
              },
              body: JSON.stringify({ units: 1 }),
              signal,
            }),
          clinicTally,
          deadline,
          1000,
        ),
      ),
    ]);
    await release;
    const summary = JSON.stringify({ rehab: rehabTally, clinic: clinicTally });
    assert.equal(rehabTally.acknowledged, 20, summary);
    assert.equal(clinicTally.acknowledged, 10, summary);
    assert.ok(
      rehabTally.cutOff >= 20 && clinicTally.cutOff >= 10,
      `every first attempt was cut off: ${summary}`,
    );
    const { rows } = await rehabDb.query(
      `SELECT count(*)::int AS n FROM events WHERE body->>'session_id' LIKE 'held-s%'`,
    );
    assert.equal(rows[0].n, 20, summary);
    const scheduledAfter = (
      await clinic.db.query('SELECT scheduled_units FROM authorizations WHERE id = $1', [auth.id])
    ).rows[0].scheduled_units as number;
    assert.equal(scheduledAfter - scheduledBefore, 10, summary);
    console.log(`retries-while-waiting: ${summary}`);
  });
});
