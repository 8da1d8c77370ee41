/**
 * rehab's idempotent ingestion against a real PostgreSQL: an event named by the client (its
 * `event_id`, or an `Idempotency-Key` for the request) is stored once however often it is sent;
 * a retry gets the original acknowledgement; the same id with other content is 409 naming it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { RunningRehab } from '../../../services/rehab/app.ts';
import type { PostgresHandle } from '../../../services/shared/postgres.ts';
import { testPostgres } from '../../helpers/postgres.ts';
import { call, consentGrant, freshDatabase, logCounts, rep, startService, token } from './helpers.ts';

let server: PostgresHandle;
let rehab: RunningRehab;
let db: pg.Pool;
let device: string;
let admin: string;

before(async () => {
  server = await testPostgres();
  const url = await freshDatabase(server, 'rehab_idempotency');
  rehab = await startService(url, { batchTimeoutMs: 100 });
  db = new pg.Pool({ connectionString: url, max: 2 });
  device = await token('device', 'p1');
  admin = await token('admin', 'admin-1');
  assert.equal((await call(rehab.url, 'POST', '/api/v1/events', admin, consentGrant('p1'))).status, 201);
});
after(async () => {
  try {
    await rehab.close();
  } finally {
    try {
      await db.end();
    } finally {
      await server.stop();
    }
  }
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  call(rehab.url, 'POST', '/api/v1/events', device, body, headers);
const postBatch = (events: unknown[], headers: Record<string, string> = {}) =>
  call(rehab.url, 'POST', '/api/v1/events/batch', device, { events }, headers);

async function stored(eventId: string): Promise<number> {
  const { rows } = await db.query('SELECT count(*)::int AS n FROM events WHERE event_id = $1', [eventId]);
  return rows[0].n;
}

describe('an event named by its event_id', () => {
  it('sent again: the original acknowledgement, stored once; with other content: 409 naming it', async () => {
    const id = randomUUID();
    const first = await post({ ...rep('p1', 'named', 1), event_id: id });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.event_id, id);
    const again = await post({ ...rep('p1', 'named', 1), event_id: id.toUpperCase() });
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.deepEqual(again.body, first.body, 'the same position and timestamp (the clock set it once)');
    assert.equal(await stored(id), 1);

    const other = await post({ ...rep('p1', 'named', 2), event_id: id });
    assert.equal(other.status, 409, JSON.stringify(other.body));
    assert.equal(other.body.error, 'idempotency_conflict');
    assert.equal(other.body.path, 'event_id');
    assert.equal(other.body.event_id, id);
    assert.equal(await stored(id), 1);
    const { rows } = await db.query(`SELECT body->>'rep_number' AS n FROM events WHERE event_id = $1`, [id]);
    assert.equal(rows[0].n, '1', 'the stored event is unchanged');
  });

  it('20 copies sent at once, sharing group commits: one stored, all answered with its position', async () => {
    const id = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post({ ...rep('p1', 'at-once', 1), event_id: id })),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      answers.map(() => 201),
    );
    assert.equal(new Set(answers.map((a) => a.body.stream_position)).size, 1);
    assert.equal(await stored(id), 1);
  });

  it('not a UUID: 422 naming event_id; twice in one batch with other content: 409 naming the second', async () => {
    const r = await post({ ...rep('p1', 'bad-id', 1), event_id: 'not-a-uuid' });
    assert.equal(r.status, 422);
    assert.deepEqual(
      r.body.errors.map((e: { path: string }) => e.path),
      ['event_id'],
    );
    const id = randomUUID();
    const twice = await postBatch([
      { ...rep('p1', 'twice', 1), event_id: id },
      { ...rep('p1', 'twice', 2), event_id: id },
    ]);
    assert.equal(twice.status, 409, JSON.stringify(twice.body));
    assert.equal(twice.body.path, 'events[1].event_id');
    assert.equal(await stored(id), 0, 'nothing of the refused batch is stored');
  });
});

describe('a request named by its Idempotency-Key', () => {
  it('a batch sent three times is stored once, with the same acknowledgements', async () => {
    const before = await logCounts(db);
    const events = Array.from({ length: 5 }, (_, i) => rep('p1', 'keyed-batch', i + 1));
    const key = { 'idempotency-key': `batch-${randomUUID()}` };
    const answers = [
      await postBatch(events, key),
      await postBatch(events, key),
      await postBatch(events, key),
    ];
    for (const a of answers) assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.deepEqual(answers[1]?.body, answers[0]?.body);
    assert.deepEqual(answers[2]?.body, answers[0]?.body);
    assert.equal((await logCounts(db)).events, before.events + 5);

    const changed = await postBatch(
      events.map((e, i) => (i === 3 ? rep('p1', 'keyed-batch', 99) : e)),
      key,
    );
    assert.equal(changed.status, 409, JSON.stringify(changed.body));
    assert.equal(changed.body.path, 'events[3].event_id');
    assert.equal((await logCounts(db)).events, before.events + 5);

    // Another key, or another sender with the same key, names other events.
    assert.equal((await postBatch(events, { 'idempotency-key': `batch-${randomUUID()}` })).status, 201);
    const otherDevice = await token('device', 'p2');
    assert.equal(
      (await call(rehab.url, 'POST', '/api/v1/events', admin, consentGrant('p2'), key)).status,
      201,
    );
    const p2 = await call(
      rehab.url,
      'POST',
      '/api/v1/events/batch',
      otherDevice,
      { events: events.map((e) => ({ ...e, subject_id: 'p2', meta: { phi: false } })) },
      key,
    );
    assert.equal(p2.status, 201, JSON.stringify(p2.body));
    assert.equal((await logCounts(db)).events, before.events + 5 + 5 + 1 + 5);
  });

  it('a key that is not 1-200 visible ASCII characters: 400 naming the header', async () => {
    const r = await post(rep('p1', 'bad-key', 1), { 'idempotency-key': 'x'.repeat(201) });
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'Idempotency-Key');
  });
});

describe('what is projected', () => {
  it('each stored event once: retries add nothing to the projections', async () => {
    const until = Date.now() + 20_000;
    let counts = await logCounts(db);
    while (counts.projected !== counts.events && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      counts = await logCounts(db);
    }
    assert.equal(counts.distinct_ids, counts.events);
    assert.equal(counts.projected, counts.events);
    assert.equal(counts.projected_reps, counts.reps);
  });
});
