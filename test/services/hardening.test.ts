/**
 * What both services do the same way at their edge, against a real PostgreSQL over loopback:
 * the rate limiter keys on who sent a request (not on how its token is spelled), requests
 * without a valid token are limited per address, `Bearer` in any case, a 431 in the services'
 * own error shape, and answers that no cache keeps and no browser sniffs.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { LOG_LOCK } from '../../services/rehab/writer.ts';
import type { PostgresHandle } from '../../services/shared/postgres.ts';
import { testPostgres } from '../helpers/postgres.ts';
import { type ClinicUnderTest, clinicUnderTest, practitionerFor } from './clinic/helpers.ts';
import { call, consentGrant, freshDatabase, startService, token } from './rehab/helpers.ts';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The four spellings of one HS256 token: its signature's 32 bytes take 43 base64url characters,
 * whose last one carries 4 bits of the signature and 2 that decoders ignore.
 */
function spellings(jwt: string): string[] {
  const last = BASE64URL.indexOf(jwt.slice(-1));
  return [0, 1, 2, 3].map((low) => jwt.slice(0, -1) + BASE64URL[(last & ~3) | low]);
}

/** One GET with a header far over Node's 16 KiB limit, read as raw status, headers and body. */
function hugeHeaderGet(base: string): Promise<{ status: number; type: string; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/health`, { headers: { 'x-padding': 'x'.repeat(20_000) } }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type']),
          body: JSON.parse(text),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** One request sent as raw bytes (no client normalises its URL); the answer's status and headers. */
function rawGet(
  base: string,
  target: string,
): Promise<{ status: number; headers: Map<string, string>; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () =>
      socket.end(`GET ${target} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`),
    );
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (c) => {
      text += c;
    });
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = new Map<string, string>();
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

let server: PostgresHandle;
let clinic: ClinicUnderTest;
let rehab: Awaited<ReturnType<typeof startService>>;
let practitioner: string;
let authId: string;
/** An authorization of another practitioner, whose budget the spelling test leaves alone. */
let otherAuthId: string;

before(async () => {
  server = await testPostgres();
  clinic = await clinicUnderTest(server, 'clinic_edge', { rateLimit: { max: 4, windowMs: 60_000 } });
  authId = clinic.fixture.authorizationIds[0] as string;
  practitioner = practitionerFor(clinic.fixture, authId);
  otherAuthId = clinic.fixture.authorizationIds.find(
    (id) => practitionerFor(clinic.fixture, id) !== practitioner,
  ) as string;
  rehab = await startService(await freshDatabase(server, 'rehab_edge'), {
    rateLimit: { max: 4, windowMs: 60_000 },
  });
});
after(async () => {
  await rehab.close();
  await clinic.close();
  await server.stop();
});

describe('rate limiting', () => {
  it('four spellings of one token share one budget', async () => {
    const admin = await token('admin', 'admin-spelled');
    const statuses: number[] = [];
    for (const spelling of [...spellings(admin), admin])
      statuses.push((await call(rehab.url, 'GET', '/api/v1/pipeline/status', spelling)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 429], 'each spelling is valid; together they get 4');

    const clinicStatuses: number[] = [];
    for (const spelling of [...spellings(practitioner), practitioner]) {
      const r = await fetch(`${clinic.url}/api/authorizations/${authId}`, {
        headers: { authorization: `Bearer ${spelling}` },
      });
      clinicStatuses.push(r.status);
    }
    assert.deepEqual(clinicStatuses, [200, 200, 200, 200, 429]);
  });

  it('requests without a valid token are limited per client address, apart from valid senders', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await call(rehab.url, 'GET', '/api/v1/alerts', `not-a-token-${i}`)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 429]);
    const limited = await call(rehab.url, 'GET', '/api/v1/alerts', undefined);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal(limited.body.error, 'rate_limited');
    const device = await token('device', 'p-limited');
    assert.equal((await call(rehab.url, 'GET', '/api/v1/alerts', device)).status, 200);
  });
});

describe('the edge of both services', () => {
  it('the Bearer scheme in any case', async () => {
    const admin = await token('admin', 'admin-case');
    const device = await token('device', 'p-case');
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      const r = await fetch(`${rehab.url}/api/v1/alerts`, {
        headers: { authorization: `${scheme} ${device}` },
      });
      assert.equal(r.status, 200, scheme);
    }
    assert.equal(
      (await call(rehab.url, 'POST', '/api/v1/events', admin, consentGrant('p-case'))).status,
      201,
    );
    const c = await fetch(`${clinic.url}/api/authorizations/${otherAuthId}`, {
      headers: {
        authorization: `bearer ${practitionerFor(clinic.fixture, otherAuthId)}`,
      },
    });
    assert.equal(c.status, 200);
  });

  it('a key given twice in a body is 400 naming it, not last-wins', async () => {
    const c = await fetch(`${clinic.url}/api/authorizations/${otherAuthId}/reserve`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${practitionerFor(clinic.fixture, otherAuthId)}`,
      },
      body: '{"units": 1, "units": 2}',
    });
    assert.equal(c.status, 400);
    assert.deepEqual(await c.json(), {
      error: 'duplicate_key',
      message: 'units: this key is given twice in its object',
      path: 'units',
    });
  });

  it('headers over 16 KiB: 431 in the services\u2019 error shape', async () => {
    for (const base of [clinic.url, rehab.url]) {
      const r = await hugeHeaderGet(base);
      assert.equal(r.status, 431, base);
      assert.match(r.type, /^application\/json/);
      assert.equal(r.body.error, 'headers_too_large');
      assert.equal(typeof r.body.message, 'string');
    }
  });

  it('nosniff and no-store on answers carrying patient data, and on errors', async () => {
    const device = await token('device', 'p-headers');
    const answers = [
      await fetch(`${rehab.url}/api/v1/projections/adherence?patient_id=p-headers`, {
        headers: { authorization: `Bearer ${device}` },
      }),
      await fetch(`${rehab.url}/api/v1/patients/p-headers/stream`, {
        headers: { authorization: `Bearer ${device}` },
      }),
      await fetch(`${rehab.url}/api/v1/patients/p-other/stream`, {
        headers: { authorization: `Bearer ${device}` },
      }),
      await fetch(`${clinic.url}/api/authorizations/${otherAuthId}`, {
        headers: {
          authorization: `Bearer ${practitionerFor(clinic.fixture, otherAuthId)}`,
        },
      }),
      await fetch(`${clinic.url}/api/authorizations/${otherAuthId}`),
    ];
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 404, 200, 401],
    );
    for (const a of answers) {
      assert.equal(a.headers.get('x-content-type-options'), 'nosniff', a.url);
      assert.equal(a.headers.get('cache-control'), 'no-store', a.url);
    }
  });

  it('nosniff and no-store on Fastify\u2019s own answers too: a bad URL (400), a path parameter too long (414), no route (404)', async () => {
    const auth = `/api/authorizations/${otherAuthId}`;
    const targets: Array<[string, string, number, string]> = [
      [rehab.url, '/api/v1/patients/%ff/stream', 400, 'bad_url'],
      [rehab.url, `/api/v1/patients/${'p'.repeat(200)}/stream`, 414, 'uri_too_long'],
      [rehab.url, '/api/v1/nowhere', 404, 'not_found'],
      [clinic.url, '/api/authorizations/%ff', 400, 'bad_url'],
      [clinic.url, `/api/authorizations/${'a'.repeat(200)}`, 414, 'uri_too_long'],
      [clinic.url, `${auth}/nowhere`, 404, 'not_found'],
    ];
    for (const [base, target, status, error] of targets) {
      const r = await rawGet(base, target);
      const at = `${base}${target.slice(0, 40)}`;
      assert.equal(r.status, status, at);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', at);
      assert.equal(r.headers.get('cache-control'), 'no-store', at);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/, at);
      assert.equal(JSON.parse(r.body).error, error, at);
    }
  });

  it('nosniff and no-store on the 503 Fastify answers itself while the service closes', async () => {
    const closing = await startService(await freshDatabase(server, 'rehab_closing'));
    const { hostname, port } = new URL(closing.url);
    const holder = new pg.Client({ connectionString: server.databaseUrl('rehab_closing') });
    await holder.connect();
    // A write held back by the log's lock keeps a request in flight while close() begins; the
    // end of a second request pipelined behind it on the same connection arrives after.
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1)', [LOG_LOCK]);
    const admin = await token('admin', 'admin-closing');
    const body = JSON.stringify(consentGrant('p-closing'));
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (c) => {
      text += c;
    });
    const ended = new Promise((r) => socket.on('close', r));
    socket.write(
      `POST /api/v1/events HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${admin}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
        `GET /health HTTP/1.1\r\nHost: ${hostname}\r\n`,
    );
    const until = Date.now() + 10_000;
    while (closing.writer.pending === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.equal(closing.writer.pending, 1, 'the write waits for the lock');
    const closed = closing.close();
    await new Promise((r) => setTimeout(r, 300));
    socket.write('Connection: close\r\n\r\n'); // the second request is complete only now
    await holder.query('COMMIT');
    await holder.end();
    await closed;
    await ended;
    const answers = text.split(/(?=HTTP\/1\.1 )/);
    assert.equal(answers.length, 2, text);
    assert.match(answers[0] as string, /^HTTP\/1\.1 201 /);
    assert.match(answers[1] as string, /^HTTP\/1\.1 503 /);
    for (const answer of answers) {
      assert.match(answer, /\r\nx-content-type-options: nosniff\r\n/i, answer);
      assert.match(answer, /\r\ncache-control: no-store\r\n/i, answer);
    }
  });
});
