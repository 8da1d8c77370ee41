/**
 * The rehab API against a real PostgreSQL: validation, auth, consent, order per subject,
 * as_of_position, the audit log, backpressure and rate limiting.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import pg from 'pg';
import type { RunningRehab } from '../../../services/rehab/app.ts';
import { signRehabToken } from '../../../services/rehab/auth.ts';
import type { PostgresHandle } from '../../../services/shared/postgres.ts';
import { testPostgres } from '../../helpers/postgres.ts';
import {
  alert,
  call,
  consentGrant,
  freshDatabase,
  rep,
  sessionStart,
  startService,
  token,
} from './helpers.ts';

let server: PostgresHandle;
let url: string;
let rehab: RunningRehab;
let db: pg.Pool;
let admin: string;
let device1: string;
let therapist: string;

before(async () => {
  server = await testPostgres();
  url = await freshDatabase(server, 'rehab_api');
  rehab = await startService(url);
  db = new pg.Pool({ connectionString: url, max: 2 });
  await db.query(
    `INSERT INTO care_assignments VALUES ('therapist-1', 'p1'), ('therapist-1', 'p2'), ('therapist-2', 'p3')`,
  );
  admin = await token('admin', 'admin-1');
  device1 = await token('device', 'p1');
  therapist = await token('therapist', 'therapist-1');
  for (const s of ['p1', 'p2', 'p3']) {
    const r = await call(rehab.url, 'POST', '/api/v1/events', admin, consentGrant(s));
    assert.equal(r.status, 201);
  }
});
after(async () => {
  // Each step runs even if one before it fails: a server stopped under an open pool would
  // surface later as an uncaught "terminating connection" instead of the failure itself.
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

describe('validation', () => {
  it('an unknown kind, wrong types, ranges, missing and extra fields: 422 naming each path', async () => {
    const bad = await call(rehab.url, 'POST', '/api/v1/events', admin, {
      ...rep('p1', 's', 1),
      kind: 'heartbeat',
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(
      bad.body.errors.map((e: { path: string }) => e.path),
      ['kind'],
    );
    const r = rep('p1', 's', 1);
    const fields = await call(rehab.url, 'POST', '/api/v1/events', admin, {
      ...r,
      body: { ...r.body, quality_score: 1.5, rep_number: 'one', extra: 1, duration_ms: undefined },
      meta: { phi: 'yes' },
    });
    assert.equal(fields.status, 422);
    assert.deepEqual(fields.body.errors.map((e: { path: string }) => e.path).sort(), [
      'body.duration_ms',
      'body.extra',
      'body.quality_score',
      'body.rep_number',
      'meta.phi',
    ]);
    const session = await call(rehab.url, 'POST', '/api/v1/events', admin, {
      kind: 'exercise_session',
      subject_id: 'p1',
      body: { session_id: 's' },
      meta: { phi: false },
    });
    assert.equal(session.status, 422);
    assert.match(session.body.message, /start \(with start_time\) or a completion/);
  });

  it('a batch is all or nothing, and its errors name the event index', async () => {
    const before = (await db.query('SELECT count(*)::int AS n FROM events')).rows[0].n;
    const r = await call(rehab.url, 'POST', '/api/v1/events/batch', admin, {
      events: [
        rep('p1', 's1', 1),
        { ...rep('p1', 's1', 2), body: { ...rep('p1', 's1', 2).body, rep_number: 0 } },
      ],
    });
    assert.equal(r.status, 422);
    assert.equal(r.body.errors[0].path, 'events[1].body.rep_number');
    const tooMany = await call(rehab.url, 'POST', '/api/v1/events/batch', admin, {
      events: Array.from({ length: 501 }, (_, i) => rep('p1', 's1', i + 1)),
    });
    assert.equal(tooMany.status, 422);
    assert.match(tooMany.body.message, /1 to 500 events, got 501/);
    assert.equal((await db.query('SELECT count(*)::int AS n FROM events')).rows[0].n, before);
  });

  it('malformed JSON is 400, an unknown route 404', async () => {
    assert.equal((await call(rehab.url, 'POST', '/api/v1/events', admin, '{"kind":')).status, 400);
    assert.equal((await call(rehab.url, 'GET', '/api/v1/nothing', admin)).status, 404);
  });
});

describe('auth', () => {
  it('no token, a bad signature, alg none and an expired token: 401', async () => {
    const body = rep('p1', 's', 1);
    assert.equal((await call(rehab.url, 'POST', '/api/v1/events', undefined, body)).status, 401);
    const forged = await signRehabToken(new TextEncoder().encode('another-secret-that-is-long-enough-000'), {
      id: 'admin-1',
      role: 'admin',
    });
    assert.equal((await call(rehab.url, 'POST', '/api/v1/events', forged, body)).status, 401);
    const payload = (admin.split('.')[1] as string) ?? '';
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    assert.equal((await call(rehab.url, 'POST', '/api/v1/events', none, body)).status, 401);
    const expired = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin-1')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode('test-secret-of-the-rehab-service-0123456789'));
    const r = await call(rehab.url, 'POST', '/api/v1/events', expired, body);
    assert.equal(r.status, 401);
    assert.match(r.body.message, /expired/);
  });

  it('roles: a device posts only for its subject, a therapist does not post, reads only its patients', async () => {
    const other = await call(rehab.url, 'POST', '/api/v1/events', device1, rep('p2', 's', 1));
    assert.equal(other.status, 403);
    assert.equal(other.body.path, 'subject_id');
    assert.equal((await call(rehab.url, 'POST', '/api/v1/events', device1, rep('p1', 'own', 1))).status, 201);
    assert.equal((await call(rehab.url, 'POST', '/api/v1/events', therapist, rep('p1', 's', 1))).status, 403);
    assert.equal(
      (await call(rehab.url, 'GET', '/api/v1/projections/adherence?patient_id=p1', therapist)).status,
      200,
    );
    assert.equal(
      (await call(rehab.url, 'GET', '/api/v1/projections/adherence?patient_id=p3', therapist)).status,
      404,
    );
    assert.equal((await call(rehab.url, 'GET', '/api/v1/patients/p3/stream', therapist)).status, 404);
    assert.equal((await call(rehab.url, 'GET', '/api/v1/patients/p2/stream', device1)).status, 404);
    assert.equal((await call(rehab.url, 'GET', '/api/v1/projections/work-queue', device1)).status, 403);
    assert.equal(
      (await call(rehab.url, 'GET', '/api/v1/projections/work-queue?therapist_id=therapist-2', therapist))
        .status,
      403,
    );
    assert.equal((await call(rehab.url, 'GET', '/api/v1/patients/p3/stream', admin)).status, 200);
  });

  it('reads of patient data are in the audit log with who read whose data', async () => {
    await call(rehab.url, 'GET', '/api/v1/projections/quality?patient_id=p2&window=1h', therapist);
    const { rows } = await db.query(
      `SELECT actor_id, actor_role, action, patient_id FROM audit_log WHERE action = 'read_quality' ORDER BY id DESC LIMIT 1`,
    );
    assert.deepEqual(rows[0], {
      actor_id: 'therapist-1',
      actor_role: 'therapist',
      action: 'read_quality',
      patient_id: 'p2',
    });
  });
});

describe('consent', () => {
  it('a PHI event without an active consent of its subject is refused and not stored', async () => {
    const count = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM events WHERE subject_id = 'p9'`)).rows[0].n;
    const noId = await call(rehab.url, 'POST', '/api/v1/events', admin, {
      ...rep('p9', 's', 1),
      meta: { phi: true },
    });
    assert.equal(noId.status, 403);
    assert.equal(noId.body.path, 'meta.consent_id');
    assert.equal((await call(rehab.url, 'POST', '/api/v1/events', admin, rep('p9', 's', 1))).status, 403);
    // Another subject's consent does not count.
    const borrowed = await call(rehab.url, 'POST', '/api/v1/events', admin, {
      ...rep('p9', 's', 1),
      meta: { phi: true, consent_id: 'consent-p1' },
    });
    assert.equal(borrowed.status, 403);
    assert.equal(await count(), 0);
    // Granted in the same batch, before the PHI event: accepted.
    const batch = await call(rehab.url, 'POST', '/api/v1/events/batch', admin, {
      events: [consentGrant('p9'), rep('p9', 's', 1)],
    });
    assert.equal(batch.status, 201);
    assert.equal(await count(), 2);
    // A batch with one PHI event refused stores nothing of the batch.
    const mixed = await call(rehab.url, 'POST', '/api/v1/events/batch', admin, {
      events: [rep('p9', 's', 2), { ...rep('p9', 's', 3), meta: { phi: true, consent_id: 'nope' } }],
    });
    assert.equal(mixed.status, 403);
    assert.equal(mixed.body.path, 'events[1].meta.consent_id');
    assert.equal(await count(), 2);
    // Revoked: refused again.
    const revoke = {
      kind: 'consent',
      subject_id: 'p9',
      body: { action: 'revoke', consent_id: 'consent-p9' },
      meta: { phi: false },
    };
    assert.equal((await call(rehab.url, 'POST', '/api/v1/events', admin, revoke)).status, 201);
    assert.equal((await call(rehab.url, 'POST', '/api/v1/events', admin, rep('p9', 's', 4))).status, 403);
    assert.equal(await count(), 3);
  });
});

describe('the log and the projections', () => {
  it('keeps each subject\u2019s events in the order acknowledged, also under concurrent posts', async () => {
    const subjects = ['p1', 'p2', 'p3'];
    const acked = new Map<string, number[]>(subjects.map((s) => [s, []]));
    await Promise.all(
      subjects.flatMap((s) =>
        Array.from({ length: 4 }, async (_, w) => {
          for (let i = 0; i < 10; i++) {
            const batch = i % 2 === 0;
            const r = batch
              ? await call(rehab.url, 'POST', '/api/v1/events/batch', admin, {
                  events: [rep(s, `order-${w}`, i * 2 + 1), rep(s, `order-${w}`, i * 2 + 2)],
                })
              : await call(rehab.url, 'POST', '/api/v1/events', admin, rep(s, `order-${w}`, i * 2 + 1));
            assert.equal(r.status, 201);
            const positions = batch
              ? r.body.events.map((e: { stream_position: number }) => e.stream_position)
              : [r.body.stream_position];
            if (batch) assert.ok(positions[0] < positions[1], 'a batch keeps its order');
            acked.get(s)?.push(...positions);
          }
        }),
      ),
    );
    for (const s of subjects) {
      const stream: number[] = [];
      let afterPos = 0;
      for (;;) {
        const r = await call(
          rehab.url,
          'GET',
          `/api/v1/patients/${s}/stream?after=${afterPos}&limit=25`,
          admin,
        );
        assert.equal(r.status, 200);
        if (r.body.events.length === 0) break;
        stream.push(...r.body.events.map((e: { stream_position: number }) => e.stream_position));
        afterPos = stream[stream.length - 1] as number;
      }
      assert.deepEqual(
        stream,
        [...stream].sort((a, b) => a - b),
        'ascending',
      );
      const mine = acked.get(s) as number[];
      assert.ok(
        mine.every((p) => stream.includes(p)),
        `every acknowledged event of ${s} is in its stream`,
      );
    }
  });

  it('as_of_position lets a client wait for its own event in a projection', async () => {
    const posted = await call(rehab.url, 'POST', '/api/v1/events/batch', device1, {
      events: [sessionStart('p1', 'asof', 2), rep('p1', 'asof', 1, 0.6), rep('p1', 'asof', 2, 0.8)],
    });
    assert.equal(posted.status, 201);
    const position = posted.body.events[2].stream_position;
    let r = await call(rehab.url, 'GET', '/api/v1/projections/quality?patient_id=p1&window=1h', device1);
    const started = Date.now();
    while (r.body.as_of_position < position) {
      assert.ok(Date.now() - started < 5000, 'projected within 5 s');
      await new Promise((res) => setTimeout(res, 5));
      r = await call(rehab.url, 'GET', '/api/v1/projections/quality?patient_id=p1&window=1h', device1);
    }
    const adherence = await call(
      rehab.url,
      'GET',
      '/api/v1/projections/adherence?patient_id=p1&window=7d',
      device1,
    );
    assert.ok(adherence.body.as_of_position >= position);
    assert.ok(adherence.body.sessions_started >= 1);
    const { rows } = await db.query(
      `SELECT rep_count, quality_micro_sum::int AS q FROM proj_sessions WHERE subject_id = 'p1' AND session_id = 'asof'`,
    );
    assert.deepEqual(rows[0], { rep_count: 2, q: 1_400_000 });
  });

  it('alerts reach the alert list and the therapist\u2019s work queue, first by severity', async () => {
    const a = await call(rehab.url, 'POST', '/api/v1/events', admin, alert('p2', 'critical'));
    assert.equal(a.status, 201);
    await rehab.pipeline.waitProjected(a.body.stream_position, 5000);
    const list = await call(rehab.url, 'GET', '/api/v1/alerts?alert_type=pain_report', therapist);
    assert.equal(list.status, 200);
    assert.ok(list.body.alerts.some((x: { event_id: string }) => x.event_id === a.body.event_id));
    assert.ok(list.body.alerts.every((x: { patient_id: string }) => ['p1', 'p2'].includes(x.patient_id)));
    const queue = await call(rehab.url, 'GET', '/api/v1/projections/work-queue', therapist);
    assert.equal(queue.status, 200);
    assert.equal(queue.body.items[0].patient_id, 'p2');
    assert.equal(queue.body.items[0].highest_severity, 'critical');
    const bad = await call(
      rehab.url,
      'GET',
      '/api/v1/projections/adherence?patient_id=p1&window=3d',
      therapist,
    );
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /^window: expected one of 7d, 14d, 28d/);
  });

  it('status and metrics show the pipeline, to admins only', async () => {
    for (const path of ['/api/v1/pipeline/status', '/metrics']) {
      assert.equal((await call(rehab.url, 'GET', path, undefined)).status, 401, path);
      assert.equal((await call(rehab.url, 'GET', path, device1)).status, 403, path);
      assert.equal((await call(rehab.url, 'GET', path, therapist)).status, 403, path);
    }
    const s = await call(rehab.url, 'GET', '/api/v1/pipeline/status', admin);
    assert.equal(s.status, 200);
    assert.equal(s.body.database, 'reachable');
    assert.equal(s.body.config.batch_size, 100);
    assert.equal(s.body.processors.length, 10);
    assert.ok(s.body.events_projected > 0);
    const m = await call(rehab.url, 'GET', '/metrics', admin);
    assert.match(m.body, /rehab_events_ingested_total\{kind="rep_observation"\} \d+/);
    assert.match(m.body, /rehab_projection_lag_seconds\{quantile="0.95"\}/);
  });
});

describe('backpressure and rate limits', () => {
  it('past the in-flight limit writes get 429 with Retry-After, and every 201 is in the log', async () => {
    const u = await freshDatabase(server, 'rehab_pressure');
    const svc = await startService(u, { maxPendingWrites: 5 });
    try {
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          call(svc.url, 'POST', '/api/v1/events', admin, {
            ...rep(`bp${i % 6}`, 's', i + 1),
            meta: { phi: false },
          }),
        ),
      );
      const limited = results.filter((r) => r.status === 429);
      const ok = results.filter((r) => r.status === 201);
      assert.equal(limited.length + ok.length, 60);
      assert.ok(limited.length > 0, 'some writes were pushed back');
      assert.equal(limited[0]?.headers.get('retry-after'), '1');
      const ids = ok.map((r) => r.body.event_id);
      const c = new pg.Client({ connectionString: u });
      await c.connect();
      const { rows } = await c.query(
        'SELECT count(*)::int AS n FROM events WHERE event_id = ANY($1::uuid[])',
        [ids],
      );
      await c.end();
      assert.equal(rows[0].n, ok.length);
      const status = await call(svc.url, 'GET', '/api/v1/pipeline/status', admin);
      assert.equal(status.body.backpressure.rejections, limited.length);
    } finally {
      await svc.close();
    }
  });

  it('a token over its rate limit gets 429 with Retry-After', async () => {
    const u = await freshDatabase(server, 'rehab_rate');
    const svc = await startService(u, { rateLimit: { max: 2, windowMs: 60_000 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await call(svc.url, 'GET', '/api/v1/pipeline/status', admin)).status);
      assert.deepEqual(statuses, [200, 200, 429]);
    } finally {
      await svc.close();
    }
  });
});
