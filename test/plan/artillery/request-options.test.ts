/**
 * A request step's options for the VU (src/plan/artillery/request-options.ts): redirects and
 * cookies are the VU's, configured as Artillery's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestOptions } from '../../../src/plan/artillery/request-options.ts';

const ctx = { vars: { who: 'ann' } };
const script = (cookie?: Record<string, unknown>) => ({
  options: { target: 'http://127.0.0.1:1', ...(cookie ? { defaults: { cookie } } : {}) },
  headers: {},
});

describe('Artillery request options', () => {
  it("follow 10 redirects by the 'artillery' rule, none with followRedirect: false", async () => {
    const on = await requestOptions({ url: '/a' }, { url: '/a' }, ctx, script(), 10_000);
    assert.equal(on.redirectRule, 'artillery');
    assert.equal(on.redirects, 10);
    assert.equal(on.jar, undefined, "the VU's cookie jar");
    const off = await requestOptions(
      { url: '/a' },
      { url: '/a', followRedirect: false },
      ctx,
      script(),
      10_000,
    );
    assert.equal(off.redirects, 0);
  });

  it("config.defaults.cookie and the step's cookie, templated, are the request's cookies (the step's win)", async () => {
    const params = { url: '/a', cookie: { user: '{{ who }}', lang: 'fr' } };
    const o = await requestOptions(params, { url: '/a' }, ctx, script({ lang: 'en', theme: 'dark' }), 10_000);
    assert.deepEqual(o.cookies, { lang: 'fr', theme: 'dark', user: 'ann' });
    assert.equal(o.headers?.cookie, undefined, 'no Cookie header made by hand');
    const none = await requestOptions({ url: '/a' }, { url: '/a' }, ctx, script(), 10_000);
    assert.equal(none.cookies, undefined);
  });
});
