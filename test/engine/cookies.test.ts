/**
 * The VU's cookie jar through the real engine, against a loopback server: Set-Cookie kept and sent
 * back to matching URLs, emptied at each iteration, read and set from the flow, a request's own
 * cookies and `jar: false`.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { definePlan } from '../../src/plan/load.ts';
import type { Vu } from '../../src/plan/types.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { runPlan } from '../../src/run/run.ts';

let server: Server;
let url = '';
before(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/login')
      res.setHeader('set-cookie', [
        'sid=abc; Path=/; HttpOnly',
        'pref=dark; Path=/account',
        'gone=1; Path=/; Max-Age=0',
        'tls=1; Path=/; Secure',
      ]);
    else if (path === '/logout')
      res.setHeader('set-cookie', 'sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ cookie: req.headers.cookie ?? '' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const cookieSent = async (vu: Vu, path: string, options = {}) =>
  ((await vu.http.get(path, options)).body as { cookie: string }).cookie;

async function runFlow(iterations: number, flow: (vu: Vu) => Promise<void>) {
  const plan = validatePlan(
    definePlan({
      target: url,
      thresholds: {},
      scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations, flow } },
    }),
  );
  const logs: string[] = [];
  const r = await runPlan({ plan, workers: 1, onLog: (m) => logs.push(m) });
  const errors = r.metrics.iteration_errors;
  assert.equal(errors?.type === 'counter' ? errors.count : 0, 0, logs.join('\n'));
  return r;
}

describe('the VU cookie jar', () => {
  it('keeps what Set-Cookie says and sends it back to matching URLs, emptied at each iteration', async () => {
    const seen: string[][] = [];
    await runFlow(2, async (vu) => {
      const first = await cookieSent(vu, '/before');
      await vu.http.get('/login');
      seen.push([
        first,
        await cookieSent(vu, '/home'),
        await cookieSent(vu, '/account/settings'),
        await cookieSent(vu, '/accounting'),
      ]);
      await vu.http.get('/logout');
      seen.push([await cookieSent(vu, '/account')]);
    });
    const expected = [['', 'sid=abc', 'pref=dark; sid=abc', 'sid=abc'], ['pref=dark']];
    // The second iteration starts with an empty jar: the same again.
    assert.deepEqual(seen, [...expected, ...expected]);
  });

  it('vu.http.cookies reads, sets and clears; a request adds its own cookies; jar: false leaves the jar out', async () => {
    const seen: Record<string, unknown> = {};
    await runFlow(1, async (vu) => {
      const c = vu.http.cookies;
      c.set('/', 'token', 't1');
      c.set(`${url}/admin`, 'adm', 'yes', { path: '/admin' });
      seen.get = c.get('/admin/x');
      seen.sent = await cookieSent(vu, '/admin/x');
      seen.own = await cookieSent(vu, '/', { cookies: { token: 'mine', extra: '1' } });
      seen.noJar = await cookieSent(vu, '/login', { jar: false, cookies: { only: 'this' } });
      seen.afterNoJar = c.get('/');
      c.clear('/admin/x');
      seen.cleared = c.get('/admin/x');
      c.set('/', 'late', '1', { maxAge: 0 });
      seen.maxAge0 = c.get('/');
      seen.badDomain = (() => {
        try {
          c.set('/', 'x', '1', { domain: 'example.com' });
          return 'stored';
        } catch (e) {
          return (e as Error).message;
        }
      })();
    });
    assert.deepEqual(seen.get, { adm: 'yes', token: 't1' });
    assert.equal(seen.sent, 'adm=yes; token=t1');
    assert.equal(seen.own, 'token=mine; extra=1', "a request's own cookie wins over the jar's of that name");
    assert.equal(seen.noJar, 'only=this');
    assert.deepEqual(seen.afterNoJar, { token: 't1' }, 'what a jar: false response set was not kept');
    assert.deepEqual(seen.cleared, {});
    assert.deepEqual(seen.maxAge0, {});
    assert.match(String(seen.badDomain), /domain "example.com" does not cover 127.0.0.1/);
  });

  it("a jar of its own (newCookieJar) replaces the VU's for the requests given it, and keeps across iterations", async () => {
    const seen: unknown[] = [];
    await runFlow(2, async (vu) => {
      vu.vars.jar ??= vu.http.newCookieJar();
      const own = vu.vars.jar as ReturnType<typeof vu.http.newCookieJar>;
      seen.push(await cookieSent(vu, '/account', { jar: own }));
      const login = await vu.http.get('/login', { jar: own });
      seen.push(login.setCookies?.length);
      seen.push(vu.http.cookies.get('/'), own.get('/'));
      seen.push(own.getAll('/account/x'));
      own.delete('/', 'sid');
      seen.push(await cookieSent(vu, '/account', { jar: own }));
    });
    assert.deepEqual(seen.slice(0, 6), [
      '',
      4,
      {},
      { sid: 'abc' },
      { pref: ['dark'], sid: ['abc'] },
      'pref=dark',
    ]);
    // The second iteration: the own jar kept pref (sid was deleted), the VU's was emptied.
    assert.equal(seen[6], 'pref=dark');
  });

  it('a jar that newCookieJar did not make is refused', async () => {
    let message = '';
    await runFlow(1, async (vu) => {
      const fake = { ...vu.http.cookies };
      message = await vu.http.get('/', { jar: fake }).then(
        () => 'sent',
        (e: Error) => e.message,
      );
    });
    assert.match(message, /expected false or a jar from vu\.http\.newCookieJar\(\)/);
  });

  it('a cookie header set by hand is kept, the jar adding its own after it', async () => {
    let sent = '';
    await runFlow(1, async (vu) => {
      await vu.http.get('/login');
      sent = await cookieSent(vu, '/', { headers: { Cookie: 'manual=1' } });
    });
    assert.equal(sent, 'manual=1; sid=abc');
  });
});
