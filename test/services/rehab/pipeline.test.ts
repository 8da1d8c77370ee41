/**
 * The pipeline's promises against a real PostgreSQL: every event projected exactly once,
 * across restarts (also with another processor count), across commits whose answer was lost, and
 * across a `kill -9` of the service
 * during a steady stream of posts; a rebuild from the log equals the incremental projections.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { rebuildProjections, snapshotProjections } from '../../../services/rehab/projections.ts';
import { freePort, type PostgresHandle } from '../../../services/shared/postgres.ts';
import { startProcess } from '../../../src/suite/processes.ts';
import { testPostgres } from '../../helpers/postgres.ts';
import { losesAnswers } from '../doubles/lost-answer-pipeline.ts';
import {
  alert,
  call,
  completion,
  consentGrant,
  freshDatabase,
  logCounts,
  rep,
  SECRET,
  sessionStart,
  startService,
  token,
} from './helpers.ts';

let server: PostgresHandle;
let admin: string;
before(async () => {
  server = await testPostgres();
  admin = await token('admin', 'admin-1');
});
after(async () => {
  await server.stop();
});

/** A patient's whole session as one batch, plus a feedback or alert now and then. */
function sessionEvents(subject: string, session: string, reps: number, extra: boolean) {
  return [
    sessionStart(subject, session, reps),
    ...Array.from({ length: reps }, (_, i) => rep(subject, session, i + 1, ((i * 37) % 100) / 100)),
    completion(subject, session, reps),
    ...(extra ? [alert(subject, ['low', 'medium', 'high', 'critical'][reps % 4])] : []),
  ];
}

async function postSessions(base: string, subjects: string[], rounds: number, tag: string) {
  await Promise.all(
    subjects.map(async (s, si) => {
      for (let r = 0; r < rounds; r++) {
        const res = await call(base, 'POST', '/api/v1/events/batch', admin, {
          events: sessionEvents(s, `${tag}-${r}`, 10 + ((si + r) % 6), r % 3 === 0),
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      }
    }),
  );
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('exactly once', () => {
  it('across graceful restarts with another processor count, and a rebuild equals the incremental result', async () => {
    const url = await freshDatabase(server, 'rehab_restart');
    const subjects = Array.from({ length: 12 }, (_, i) => `r${i}`);
    let svc = await startService(url, { processors: 10 });
    for (const s of subjects)
      assert.equal((await call(svc.url, 'POST', '/api/v1/events', admin, consentGrant(s))).status, 201);
    await postSessions(svc.url, subjects, 4, 'a');
    await svc.close();

    svc = await startService(url, { processors: 3, batchSize: 7 });
    await postSessions(svc.url, subjects, 3, 'b');
    await svc.close();

    svc = await startService(url, { processors: 10 });
    await postSessions(svc.url, subjects, 2, 'c');
    await svc.close();

    const counts = await withClient(url, logCounts);
    assert.equal(counts.distinct_ids, counts.events);
    assert.equal(counts.projected, counts.events, 'every event projected once');
    assert.equal(counts.projected_reps, counts.reps, 'every rep counted once');

    const incremental = await withClient(url, snapshotProjections);
    const replayed = await withClient(url, (c) => rebuildProjections(c, 10));
    assert.equal(replayed, counts.events);
    const rebuilt = await withClient(url, snapshotProjections);
    assert.equal(rebuilt.proj_sessions?.length, subjects.length * 9);
    assert.deepEqual(rebuilt, incremental);
  });

  it('a statement that committed but whose answer was lost is not applied again by its retry', async () => {
    const url = await freshDatabase(server, 'rehab_lost_answer');
    const subjects = Array.from({ length: 6 }, (_, i) => `l${i}`);
    let lost = 0;
    let pipeline: { lost: number } | undefined;
    const svc = await startService(url, { processors: 3, ...losesAnswers(2, (p) => (pipeline = p)) });
    try {
      for (const s of subjects)
        assert.equal((await call(svc.url, 'POST', '/api/v1/events', admin, consentGrant(s))).status, 201);
      await postSessions(svc.url, subjects, 3, 'x');
    } finally {
      await svc.close();
      lost = pipeline?.lost ?? 0;
    }
    assert.ok(lost > 0, 'the double lost some answers');
    const counts = await withClient(url, logCounts);
    assert.equal(counts.projected, counts.events, `every event projected once (${lost} answers lost)`);
    assert.equal(counts.projected_reps, counts.reps, 'every rep counted once');
  });

  it('a rebuild refuses while a pipeline runs on the database', async () => {
    const url = await freshDatabase(server, 'rehab_rebuild_busy');
    const svc = await startService(url);
    try {
      await assert.rejects(
        withClient(url, (c) => rebuildProjections(c, 10)),
        /running its pipeline on this database; stop it first/,
      );
    } finally {
      await svc.close();
    }
  });

  it('kill -9 during a steady stream: every acknowledged event is in the log and projected, none twice', async () => {
    const url = await freshDatabase(server, 'rehab_crash');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const start = () =>
      startProcess({
        name: 'rehab',
        command: process.execPath,
        args: ['--import', 'tsx', new URL('../../../services/rehab/main.ts', import.meta.url).pathname],
        env: {
          ...process.env,
          PORT: String(port),
          DATABASE_URL: url,
          REHAB_RATE_LIMIT: 'off',
          REHAB_JWT_SECRET: new TextDecoder().decode(SECRET),
        },
        healthUrl: `${base}/health`,
        url: base,
      });
    let svc = await start();
    const subjects = Array.from({ length: 20 }, (_, i) => `k${i}`);
    for (const s of subjects)
      assert.equal((await call(base, 'POST', '/api/v1/events', admin, consentGrant(s))).status, 201);

    const acked: string[] = [];
    let refused = 0;
    let stop = false;
    const writers = subjects.map(async (s, si) => {
      for (let n = 0; !stop && n < 2000; n++) {
        const events =
          n % 4 === 0
            ? sessionEvents(s, `crash-${n}`, 10 + (si % 5), false)
            : [rep(s, `crash-${n - (n % 4)}`, 20 + n)];
        try {
          const r = await call(base, 'POST', '/api/v1/events/batch', admin, { events });
          if (r.status === 201) acked.push(...r.body.events.map((e: { event_id: string }) => e.event_id));
          else refused++;
        } catch {
          refused++; // connection refused or reset by the kill: not acknowledged, may or may not be stored
          await new Promise((res) => setTimeout(res, 5));
        }
      }
    });
    await new Promise((res) => setTimeout(res, 1500));
    const before = acked.length;
    svc.child.kill('SIGKILL');
    await new Promise<void>((res) => svc.child.once('exit', () => res()));
    await new Promise((res) => setTimeout(res, 300));
    svc = await start();
    await new Promise((res) => setTimeout(res, 800));
    stop = true;
    await Promise.all(writers);
    assert.ok(before > 200, `a steady stream before the kill (${before} events acknowledged)`);
    assert.ok(refused > 0, 'some posts failed while the service was down');

    // Wait until the restarted pipeline has projected everything committed.
    for (let i = 0; ; i++) {
      const s = await call(base, 'GET', '/api/v1/pipeline/status', admin);
      if (s.body.last_projected_position >= s.body.last_committed_position && s.body.in_flight_writes === 0)
        break;
      assert.ok(i < 500, 'the pipeline catches up');
      await new Promise((res) => setTimeout(res, 20));
    }
    await svc.stop();

    await withClient(url, async (c) => {
      const { rows } = await c.query(
        'SELECT count(*)::int AS n FROM events WHERE event_id = ANY($1::uuid[])',
        [acked],
      );
      assert.equal(rows[0].n, acked.length, 'every acknowledged event is in the log');
      const counts = await logCounts(c);
      assert.equal(counts.distinct_ids, counts.events, 'no event twice in the log');
      assert.equal(counts.projected, counts.events, 'every logged event projected exactly once');
      assert.equal(counts.projected_reps, counts.reps);
      const incremental = await snapshotProjections(c);
      await rebuildProjections(c, 10);
      assert.deepEqual(
        await snapshotProjections(c),
        incremental,
        'the projections equal a rebuild from the log',
      );
    });
  });
});
