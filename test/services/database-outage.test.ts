/**
 * Both services while their PostgreSQL is stopped, then started again on the same port: 503
 * with Retry-After and a JSON error (not 500), /health 503 with Retry-After, rehab's pipeline
 * status says the database is unreachable, the log says so once per change of state with a
 * count (not a line per request), and both recover by themselves.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, type PostgresHandle, startPostgres } from '../../services/shared/postgres.ts';
import { type ClinicUnderTest, clinicUnderTest, op, practitionerFor } from './clinic/helpers.ts';
import { call, freshDatabase, rep, startService, token } from './rehab/helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'loadproof-outage-'));
let port: number;
let server: PostgresHandle;
let clinic: ClinicUnderTest;
let rehab: Awaited<ReturnType<typeof startService>>;
const clinicLog: string[] = [];
const rehabLog: string[] = [];

before(async () => {
  port = await freePort();
  server = await startPostgres({ dataDir, port, forceEmbedded: true });
  clinic = await clinicUnderTest(server, 'clinic_outage', { log: (l) => clinicLog.push(l) });
  clinic.db.on('error', () => {}); // the test's own pool loses its connections with the server
  const url = await freshDatabase(server, 'rehab_outage');
  rehab = await startService(url, { log: (l) => rehabLog.push(l), batchTimeoutMs: 100 });
});
after(async () => {
  await rehab?.close();
  await clinic?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Polls `probe` until it returns true, for at most `ms`. */
async function within(ms: number, probe: () => Promise<boolean>): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('PostgreSQL stopped, then started again', () => {
  it('503 with Retry-After while it is down, logged once with a count, and recovery by itself', async () => {
    const auth = clinic.fixture.authorizationIds[3] as string;
    const practitioner = practitionerFor(clinic.fixture, auth);
    const admin = await token('admin', 'admin-1');
    const device = await token('device', 'p1');
    assert.equal((await op(clinic.url, practitioner, auth, 'reserve', { units: 1 })).status, 200);
    const posted = await call(rehab.url, 'POST', '/api/v1/events', device, {
      ...rep('p1', 's1', 1),
      meta: { phi: false },
    });
    assert.equal(posted.status, 201);

    // Sessions ended at once, as in an outage: a smart shutdown would keep the pools' open
    // sessions answering while new connections are refused, a database half there.
    await server.stop({ endSessions: true });

    const answers: Array<{ status: number; headers: Headers; body: any }> = [];
    for (let i = 0; i < 10; i++) {
      answers.push(await op(clinic.url, practitioner, auth, 'reserve', { units: 1 }));
      const read = await fetch(`${clinic.url}/api/authorizations/${auth}`, {
        headers: { authorization: `Bearer ${practitioner}` },
      });
      answers.push({ status: read.status, headers: read.headers, body: await read.json() });
      answers.push(
        await call(rehab.url, 'POST', '/api/v1/events', device, {
          ...rep('p1', 's1', i + 2),
          meta: { phi: false },
        }),
      );
      answers.push(await call(rehab.url, 'GET', '/api/v1/projections/adherence?patient_id=p1', device));
    }
    for (const a of answers) {
      assert.equal(a.status, 503, JSON.stringify(a.body));
      assert.equal(a.headers.get('retry-after'), '1');
      assert.equal(a.body.error, 'unavailable');
    }
    for (const base of [clinic.url, rehab.url]) {
      const health = await fetch(`${base}/health`);
      assert.equal(health.status, 503, base);
      assert.equal(health.headers.get('retry-after'), '1');
      assert.equal(((await health.json()) as { error: string }).error, 'unavailable');
    }
    const status = await call(rehab.url, 'GET', '/api/v1/pipeline/status', admin);
    assert.equal(status.status, 200);
    assert.equal(status.body.database, 'unreachable');
    assert.equal(status.body.status, 'database_unreachable');

    for (const log of [clinicLog, rehabLog]) {
      assert.equal(log.length, 1, log.join('\n'));
      assert.match(
        log[0] as string,
        /^(clinic|rehab): database unreachable \(.+\); answering 503 with Retry-After/,
      );
    }

    server = await startPostgres({ dataDir, port, forceEmbedded: true });
    const recovered = await within(10_000, async () => {
      const c = await op(clinic.url, practitioner, auth, 'reserve', { units: 1 });
      const r = await call(rehab.url, 'POST', '/api/v1/events', device, {
        ...rep('p1', 's1', 20),
        meta: { phi: false },
      });
      return c.status === 200 && r.status === 201;
    });
    assert.ok(recovered, 'both services answer again within 10 s of the restart');
    assert.ok(await within(5000, async () => clinicLog.length === 2 && rehabLog.length === 2));
    // 20 requests above and /health: 21 answers of 503 each, none uncounted.
    assert.match(
      clinicLog[1] as string,
      /^clinic: database reachable again after [\d.]+ s; 21 requests were answered 503 meanwhile$/,
    );
    assert.match(
      rehabLog[1] as string,
      /^rehab: database reachable again after [\d.]+ s; 21 requests were answered 503 meanwhile$/,
    );
    assert.equal((await fetch(`${clinic.url}/health`)).status, 200);
    const after = await call(rehab.url, 'GET', '/api/v1/pipeline/status', admin);
    assert.equal(after.body.database, 'reachable');
  });
});
