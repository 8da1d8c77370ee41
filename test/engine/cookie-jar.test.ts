/** The cookie jar on its own: RFC 6265's matching of domain, path, expiry and Secure. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieJar, type CookieTarget, setCookieValues } from '../../src/engine/cookie-jar.ts';

const at = (url: string): CookieTarget => {
  const u = new URL(url);
  return { hostname: u.hostname, pathname: u.pathname, secure: u.protocol === 'https:' };
};

describe('CookieJar', () => {
  it('a cookie without Domain is host-only; one with Domain goes to its subdomains too', () => {
    const jar = new CookieJar();
    jar.receive(at('http://app.example.test/login'), [
      'host=1; Path=/',
      'dom=2; Domain=.example.test; Path=/',
    ]);
    assert.equal(jar.header(at('http://app.example.test/x')), 'host=1; dom=2');
    assert.equal(jar.header(at('http://api.example.test/x')), 'dom=2');
    assert.equal(jar.header(at('http://example.test/x')), 'dom=2');
    assert.equal(jar.header(at('http://other.test/x')), undefined);
    assert.equal(jar.header(at('http://notexample.test/x')), undefined);
  });

  it('refuses a Domain the answering host is not inside, and any Domain but its own for an IP address', () => {
    const jar = new CookieJar();
    jar.receive(at('http://app.example.test/'), ['evil=1; Domain=other.test']);
    jar.receive(at('http://127.0.0.1/'), ['ip=1; Domain=0.0.1']);
    assert.equal(jar.size, 0);
    jar.receive(at('http://127.0.0.1/'), ['ip=2; Domain=127.0.0.1']);
    assert.equal(jar.header(at('http://127.0.0.1/')), 'ip=2');
  });

  it('matches paths by segment; the default path is the directory of the request; longest path first', () => {
    const jar = new CookieJar();
    jar.receive(at('http://h.test/app/login'), ['dir=1', 'root=2; Path=/', 'admin=3; Path=/app/admin']);
    assert.equal(jar.header(at('http://h.test/app/admin/users')), 'admin=3; dir=1; root=2');
    assert.equal(jar.header(at('http://h.test/app')), 'dir=1; root=2');
    assert.equal(jar.header(at('http://h.test/application')), 'root=2', '/app does not cover /application');
    assert.equal(jar.header(at('http://h.test/')), 'root=2');
  });

  it('Max-Age wins over Expires; a past expiry or Max-Age=0 deletes; an expired cookie is not sent', () => {
    const jar = new CookieJar();
    const now = Date.parse('2030-01-01T00:00:00Z');
    const t = at('http://h.test/');
    jar.receive(
      t,
      [
        'a=1; Max-Age=10; Expires=Wed, 01 Jan 2020 00:00:00 GMT',
        'b=2; Expires=Tue, 01 Jan 2030 00:00:05 GMT',
        'c=3',
      ],
      now,
    );
    assert.equal(jar.header(t, now), 'a=1; b=2; c=3');
    assert.equal(jar.header(t, now + 6_000), 'a=1; c=3', 'b expired at its Expires');
    assert.equal(jar.header(t, now + 11_000), 'c=3', 'a expired after its Max-Age');
    jar.receive(t, ['c=3; Max-Age=0'], now);
    assert.equal(jar.header(t, now), undefined);
    jar.receive(t, ['d=4', 'd=5; Expires=Thu, 01 Jan 1970 00:00:00 GMT'], now);
    assert.equal(jar.size, 0, 'a past Expires deletes the cookie of the same name, domain and path');
  });

  it('a Secure cookie goes over https only; a later Set-Cookie of the same name replaces the value', () => {
    const jar = new CookieJar();
    jar.receive(at('https://h.test/'), ['s=1; Secure; HttpOnly; SameSite=Lax; Path=/', 'v=old; Path=/']);
    jar.receive(at('https://h.test/'), ['v="new"; Path=/']);
    assert.equal(jar.header(at('https://h.test/')), 's=1; v=new');
    assert.equal(jar.header(at('http://h.test/')), 'v=new');
    assert.deepEqual(jar.values(at('https://h.test/')), { s: '1', v: 'new' });
  });

  it('clears everything or what would go to one URL; ignores a Set-Cookie without a name', () => {
    const jar = new CookieJar();
    jar.receive(at('http://a.test/'), ['x=1', '=nameless', 'novalue']);
    jar.receive(at('http://b.test/'), ['y=2']);
    assert.equal(jar.size, 2);
    jar.clear(at('http://a.test/'));
    assert.equal(jar.header(at('http://a.test/')), undefined);
    assert.equal(jar.header(at('http://b.test/')), 'y=2');
    jar.clear();
    assert.equal(jar.size, 0);
  });

  it('finds every Set-Cookie header of a raw header list, whatever its case', () => {
    const raw = [
      'Set-Cookie',
      'a=1',
      'content-type',
      'text/plain',
      'set-cookie',
      'b=2; Expires=Wed, 01 Jan 2020 00:00:00 GMT',
    ].map((s) => Buffer.from(s));
    assert.deepEqual(setCookieValues(raw), ['a=1', 'b=2; Expires=Wed, 01 Jan 2020 00:00:00 GMT']);
    assert.equal(setCookieValues([Buffer.from('x'), Buffer.from('y')]), undefined);
  });
});
