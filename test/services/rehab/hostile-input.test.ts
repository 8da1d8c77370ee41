/**
 * rehab against input a hostile or broken client sends: strings PostgreSQL cannot store, keys
 * given twice, `__proto__`, deep nesting, dates that do not exist or lie in the future. Each is
 * refused before the database with the field's path (never a 500), a refused event does not
 * spoil the events sent beside it, and no patient data reaches the service's or PostgreSQL's log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { RunningRehab } from '../../../services/rehab/app.ts';
import { type PostgresHandle, startPostgres } from '../../../services/shared/postgres.ts';
import { MAX_DEPTH } from '../../../services/shared/strict-json.ts';
import { call, consentGrant, freshDatabase, rep, sessionStart, startService, token } from './helpers.ts';

/** Patient data that must never reach a log. */
const SECRET_NOTE = 'knee-pain-diary-MARKER-7f3a';
const postgresLog: string[] = [];
const serviceLog: string[] = [];
let server: PostgresHandle;
let rehab: RunningRehab;
let db: pg.Pool;
let device: string;
let admin: string;

before(async () => {
  server = await startPostgres({ forceEmbedded: true, onLog: (l) => postgresLog.push(l) });
  const url = await freshDatabase(server, 'rehab_hostile');
  rehab = await startService(url, { log: (l) => serviceLog.push(l), onError: (m) => serviceLog.push(m) });
  db = new pg.Pool({ connectionString: url, max: 2 });
  device = await token('device', 'p1');
  admin = await token('admin', 'admin-1');
  assert.equal((await call(rehab.url, 'POST', '/api/v1/events', admin, consentGrant('p1'))).status, 201);
});
after(async () => {
  await rehab.close();
  await db.end();
  await server.stop();
});

const feedback = (message: string) => ({
  kind: 'feedback',
  subject_id: 'p1',
  body: { message },
  meta: { phi: true, consent_id: 'consent-p1' },
});

const post = (body: unknown) => call(rehab.url, 'POST', '/api/v1/events', device, body);

/** 422 with exactly one error, at `path`. */
function refusedAt(r: { status: number; body: any }, path: string, message: RegExp): void {
  assert.equal(r.status, 422, JSON.stringify(r.body));
  assert.equal(r.body.error, 'validation');
  assert.deepEqual(
    r.body.errors.map((e: { path: string }) => e.path),
    [path],
  );
  assert.match(r.body.errors[0].message, message);
}

describe('strings PostgreSQL cannot store', () => {
  it('NUL in a value, a key or a batch: 422 naming the path', async () => {
    refusedAt(await post(feedback(`${SECRET_NOTE}\u0000`)), 'body.message', /NUL/);
    const withKey = sessionStart('p1', 'nul-key');
    refusedAt(
      await post({ ...withKey, body: { ...withKey.body, device_info: { 'model\u0000': SECRET_NOTE } } }),
      'body.device_info.model\\u0000',
      /NUL/,
    );
    const r = rep('p1', 'nul-deep', 1);
    refusedAt(
      await post({ ...r, body: { ...r.body, sensor_data: [{ x: 1 }, { x: `${SECRET_NOTE}\u0000` }] } }),
      'body.sensor_data[1].x',
      /NUL/,
    );
    const batch = await call(rehab.url, 'POST', '/api/v1/events/batch', device, {
      events: [feedback('fine'), feedback('fine'), feedback('fine'), feedback(`\u0000${SECRET_NOTE}`)],
    });
    refusedAt(batch, 'events[3].body.message', /NUL/);
  });

  it('a lone UTF-16 surrogate: 422 naming the path', async () => {
    refusedAt(await post(feedback(`${SECRET_NOTE}\ud800`)), 'body.message', /surrogate/);
    refusedAt(await post(feedback(`\udfff${SECRET_NOTE}`)), 'body.message', /surrogate/);
    // A pair is one character, and welcome.
    assert.equal((await post(feedback('\ud83d\udcaa strong today'))).status, 201);
  });
});

describe('what would be stored other than as sent', () => {
  it('1e400, 30 digits and bytes that are not UTF-8: 422 naming the field, nothing stored', async () => {
    const r = rep('p1', 'inexact', 1);
    const withSensor = (value: string) =>
      JSON.stringify({ ...r, body: { ...r.body, sensor_data: { x: '@' } } }).replace('"@"', value);
    refusedAt(await post(withSensor('1e400')), 'body.sensor_data.x', /range of a double/);
    refusedAt(await post(withSensor('123456789012345678901234567890')), 'body.sensor_data.x', /stored as/);
    const text = Buffer.from(JSON.stringify(feedback(`${SECRET_NOTE} @`)));
    const bad = Buffer.from(text);
    bad[bad.indexOf('@')] = 0xff;
    const answer = await fetch(`${rehab.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${device}` },
      body: bad,
    });
    refusedAt({ status: answer.status, body: await answer.json() }, 'body.message', /not UTF-8/);
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM events WHERE body->>'session_id' = 'inexact' OR body->>'message' LIKE $1`,
      [`${SECRET_NOTE}%`],
    );
    assert.equal(rows[0].n, 0);
    assert.equal((await post(withSensor('1e20'))).status, 201, 'a large number a double holds is fine');
  });
});

describe('the shape of a body', () => {
  it(`nested ${MAX_DEPTH}+ levels (5000 here): 422 naming where it gets too deep`, async () => {
    const r = rep('p1', 'deep', 1);
    const text = JSON.stringify({ ...r, body: { ...r.body, sensor_data: '@' } }).replace(
      '"@"',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
    );
    const answer = await post(text);
    assert.equal(answer.status, 422, JSON.stringify(answer.body));
    assert.match(answer.body.errors[0].path, /^body\.sensor_data(\[0\])+$/);
    assert.match(answer.body.message, new RegExp(`more than ${MAX_DEPTH} levels`));
  });

  it('a key given twice is 400: a second subject_id does not change whose event it is', async () => {
    const text = JSON.stringify(feedback('twice')).replace(
      '"subject_id":"p1"',
      '"subject_id":"p1","subject_id":"p2"',
    );
    const asAdmin = await call(rehab.url, 'POST', '/api/v1/events', admin, text);
    assert.equal(asAdmin.status, 400);
    assert.equal(asAdmin.body.error, 'duplicate_key');
    assert.equal(asAdmin.body.path, 'subject_id');
    const nested = JSON.stringify(feedback('twice')).replace('"phi":true', '"phi":true,"phi":false');
    const r = await post(nested);
    assert.equal(r.status, 400);
    assert.equal(r.body.path, 'meta.phi');
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM events WHERE body->>'message' = 'twice'`);
    assert.equal(rows[0].n, 0);
  });

  it('a __proto__ key is 400 with a message that says so, not "invalid JSON"', async () => {
    const s = sessionStart('p1', 'proto');
    const text = JSON.stringify({
      ...s,
      body: { ...s.body, device_info: { model: 'x', PROTO: { admin: true } } },
    }).replace('PROTO', '__proto__');
    const r = await post(text);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'forbidden_key');
    assert.equal(r.body.path, 'body.device_info.__proto__');
    assert.match(r.body.message, /^body\.device_info\.__proto__: a key named __proto__ is not accepted/);
  });
});

describe('timestamps', () => {
  it('year 0000, February 30th, 24:00 and a month 13: 422 naming the field, never moved to a real date', async () => {
    refusedAt(
      await post({ ...feedback('old'), timestamp: '0000-01-01T00:00:00Z' }),
      'timestamp',
      /before 2000/,
    );
    const s = sessionStart('p1', 'dates');
    for (const start_time of [
      '2024-02-30T10:00:00Z',
      '2023-02-29T10:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-13-01T10:00:00Z',
    ])
      refusedAt(await post({ ...s, body: { ...s.body, start_time } }), 'body.start_time', /calendar date/);
    assert.equal(
      (await post({ ...s, body: { ...s.body, start_time: '2024-02-29T10:00:00+02:00' } })).status,
      201,
    );
  });

  it('more than 5 minutes ahead of the service is refused; a device a minute ahead is not', async () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    refusedAt(await post({ ...feedback('future'), timestamp: inAnHour }), 'timestamp', /5 minutes ahead/);
    const aMinute = new Date(Date.now() + 60_000).toISOString();
    assert.equal((await post({ ...feedback('soon'), timestamp: aMinute })).status, 201);
  });
});

describe('reads with parameters PostgreSQL would refuse or a lax parser would change', () => {
  /** 400 naming `field`, in the services' error shape. */
  function badParameter(r: { status: number; body: any }, field: string, what: string): void {
    assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error, 'bad_request', what);
    assert.equal(r.body.field, field, what);
    assert.match(r.body.message, new RegExp(`^${field}\\b`), what);
  }
  const read = (path: string) => call(rehab.url, 'GET', path, admin);

  it('a NUL (%00) in a path or query parameter: 400 naming it, not 500', async () => {
    badParameter(await read('/api/v1/patients/%00/stream'), 'id', 'stream id');
    badParameter(await read('/api/v1/patients/p1%00x/stream'), 'id', 'stream id inside');
    badParameter(await read('/api/v1/alerts?patient_id=%00'), 'patient_id', 'alerts patient_id');
    badParameter(await read('/api/v1/alerts?alert_type=pain%00'), 'alert_type', 'alerts alert_type');
    badParameter(
      await read('/api/v1/projections/adherence?patient_id=p1%00'),
      'patient_id',
      'adherence patient_id',
    );
    badParameter(
      await read('/api/v1/projections/quality?patient_id=%00&window=7d'),
      'patient_id',
      'quality patient_id',
    );
    badParameter(
      await read('/api/v1/projections/work-queue?therapist_id=t%00'),
      'therapist_id',
      'work-queue therapist_id',
    );
  });

  it('after and limit: decimal digits in range only (30 digits, 0x10, 1e3, -1, 1.5, empty are 400)', async () => {
    for (const after of ['99999999999999999999999', '9007199254740993', '0x10', '1e3', '-1', '1.5', '', ' 1'])
      badParameter(
        await read(`/api/v1/patients/p1/stream?after=${encodeURIComponent(after)}`),
        'after',
        `after=${after}`,
      );
    for (const limit of ['0x10', '1e2', '1001', '0'])
      badParameter(await read(`/api/v1/patients/p1/stream?limit=${limit}`), 'limit', `limit=${limit}`);
    const page = await read('/api/v1/patients/p1/stream?after=1&limit=2');
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.ok(page.body.events.every((e: { stream_position: number }) => e.stream_position > 1));
  });
});

describe('neighbours and logs', () => {
  it('hostile requests sent at once with good ones: every good one is stored, every hostile one refused', async () => {
    const hostile = [
      feedback(`\u0000${SECRET_NOTE}`),
      feedback(`${SECRET_NOTE}\ud800`),
      { ...feedback(SECRET_NOTE), timestamp: '0000-01-01T00:00:00Z' },
      { ...feedback(SECRET_NOTE), timestamp: '2024-02-30T00:00:00Z' },
    ];
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0 ? post(feedback(`neighbour ${i}`)) : post(hostile[(i >> 1) % hostile.length]),
      ),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      answers.map((_, i) => (i % 2 === 0 ? 201 : 422)),
    );
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM events WHERE body->>'message' LIKE 'neighbour %'`,
    );
    assert.equal(rows[0].n, 20);
  });

  it('no patient data in the service\u2019s log or PostgreSQL\u2019s, and no unexpected errors', async () => {
    await new Promise((r) => setTimeout(r, 200)); // PostgreSQL's last lines
    assert.ok(postgresLog.length > 0, 'the PostgreSQL log is captured');
    assert.deepEqual(
      postgresLog.filter((l) => l.includes(SECRET_NOTE)),
      [],
    );
    assert.deepEqual(
      postgresLog.filter((l) => /ERROR/.test(l)),
      [],
    );
    assert.deepEqual(serviceLog, []);
  });
});

describe('an event the database refuses', () => {
  it('fails alone: the requests that shared its transaction are stored', async () => {
    // Nothing the API accepts fails in the database any more; a trigger makes one event fail
    // there, as a constraint or a bug would.
    await db.query(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.body->>'message' = 'poison' THEN RAISE EXCEPTION 'poisoned event'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_poison BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_poison();`);
    const before = serviceLog.length;
    const groups = rehab.writer.commits;
    try {
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => post(feedback(i === 15 ? 'poison' : `beside poison ${i}`))),
      );
      assert.deepEqual(
        answers.map((a) => a.status),
        answers.map((_, i) => (i === 15 ? 500 : 201)),
      );
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM events WHERE body->>'message' LIKE 'beside poison %'`,
      );
      assert.equal(rows[0].n, 29);
      assert.ok(rehab.writer.commits - groups < 30, 'requests shared transactions');
      // Said once, by route and code: not the event.
      assert.deepEqual(serviceLog.slice(before), [
        'rehab: unexpected error on POST /api/v1/events: error P0001',
      ]);
    } finally {
      await db.query('DROP TRIGGER refuse_poison ON events; DROP FUNCTION refuse_poison()');
    }
  });
});
