/** A shard's setup() data reaches results.json and logs without its secrets. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED, withoutSecrets } from '../../src/results/without-secrets.ts';

describe('setup data without secrets', () => {
  it('redacts values under secret-naming keys and token-like strings, keeps the rest', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl';
    const data = {
      baseline: { a1: { scheduled: 10, used: 0 } },
      users: [
        { id: 'u1', token: jwt, password: 'hunter2' },
        { id: 'u2', note: `Bearer ${jwt}` },
      ],
      apiKey: 'k-123',
      sessionCookie: 'sid=1',
      Authorization: 'Basic dTpw',
      tokens: null,
      loose: jwt,
      count: 3,
    };
    assert.deepEqual(withoutSecrets(data), {
      baseline: { a1: { scheduled: 10, used: 0 } },
      users: [
        { id: 'u1', token: REDACTED, password: REDACTED },
        { id: 'u2', note: REDACTED },
      ],
      apiKey: REDACTED,
      sessionCookie: REDACTED,
      Authorization: REDACTED,
      tokens: null,
      loose: REDACTED,
      count: 3,
    });
    assert.equal(JSON.stringify(withoutSecrets(data)).includes('hunter2'), false);
  });
});
