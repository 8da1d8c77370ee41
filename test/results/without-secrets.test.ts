/** A shard's setup() data reaches results.json and logs without its secrets: a table of cases. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSecretKey, REDACTED, withoutSecrets } from '../../src/results/without-secrets.ts';

const R = REDACTED;
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl';
const PEM = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  '-----END RSA PRIVATE KEY-----',
].join('\n');
const CERTIFICATE = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;

/** [what, input, expected]: the setup value on the left becomes the one on the right. */
const CASES: [string, unknown, unknown][] = [
  // By key: whole words, any case, any separator.
  ['password', { password: 'hunter2' }, { password: R }],
  ['passwd, pwd, pass', { passwd: 'a', pwd: 'b', pass: 'c' }, { passwd: R, pwd: R, pass: R }],
  ['passphrase', { passphrase: 'correct horse' }, { passphrase: R }],
  ['a PIN as a number', { pin: 1234 }, { pin: R }],
  ['PIN, pinCode', { PIN: '0000', pinCode: '1111' }, { PIN: R, pinCode: R }],
  ['secret, client_secret', { secret: 'x', client_secret: 'y' }, { secret: R, client_secret: R }],
  [
    'token, accessToken, refresh-token',
    { token: 't', accessToken: 'a', 'refresh-token': 'r' },
    { token: R, accessToken: R, 'refresh-token': R },
  ],
  ['lower-case run-together words', { accesstoken: 'a', dbpassword: 'b' }, { accesstoken: R, dbpassword: R }],
  [
    'apikey, api_key, apiKey, X-API-KEY, APIKey',
    { apikey: 1, api_key: 2, apiKey: 3, 'X-API-KEY': 4, APIKey: 5 },
    { apikey: R, api_key: R, apiKey: R, 'X-API-KEY': R, APIKey: R },
  ],
  [
    'authorization, Authorization, auth',
    { authorization: 'x', Authorization: 'y', auth: 'z' },
    { authorization: R, Authorization: R, auth: R },
  ],
  [
    'cookie, sessionCookie, session_id',
    { cookie: 'a=1', sessionCookie: 's', session_id: 'i' },
    { cookie: R, sessionCookie: R, session_id: R },
  ],
  ['private_key, privateKey', { private_key: 'k', privateKey: 'k' }, { private_key: R, privateKey: R }],
  [
    'credential(s): a whole object',
    { credentials: { user: 'admin', note: 'x' }, credential: ['a'] },
    { credentials: R, credential: R },
  ],
  [
    'null and undefined under a secret key hide nothing',
    { token: null, password: undefined },
    { token: null, password: undefined },
  ],
  // By key: words that only look like secret words stay.
  ['pinned, spin, pinball', { pinned: true, spin: 3, pinball: 'x' }, { pinned: true, spin: 3, pinball: 'x' }],
  [
    'bypass, compass, passenger, passed',
    { bypass: 1, compass: 'n', passenger: 'p', passed: 2 },
    { bypass: 1, compass: 'n', passenger: 'p', passed: 2 },
  ],
  [
    'author, authors, tokenizer',
    { author: 'a', authors: ['b'], tokenizer: 'ws' },
    { author: 'a', authors: ['b'], tokenizer: 'ws' },
  ],
  [
    'key, primaryKey, publicKey, keyboard',
    { key: 'k1', primaryKey: 'id', publicKey: 'pk', keyboard: 'us' },
    { key: 'k1', primaryKey: 'id', publicKey: 'pk', keyboard: 'us' },
  ],
  [
    'ids, counts and baselines',
    { baseline: { 'a1b2-c3': { scheduled: 10, used: 0 } }, runId: 'r1', count: 3 },
    { baseline: { 'a1b2-c3': { scheduled: 10, used: 0 } }, runId: 'r1', count: 3 },
  ],
  // By value shape, under any key.
  [
    'URL userinfo: the password only',
    { db: 'postgres://admin:s3cr3t@db.internal:5432/app?sslmode=require' },
    { db: `postgres://admin:${R}@db.internal:5432/app?sslmode=require` },
  ],
  [
    'URL userinfo with @ and : in the password',
    { db: 'postgresql://admin:p@ss:w0rd@db/app' },
    { db: `postgresql://admin:${R}@db/app` },
  ],
  [
    'a URL inside a sentence',
    { note: 'connect to redis://:hunter2@cache:6379 then' },
    { note: `connect to redis://:${R}@cache:6379 then` },
  ],
  [
    'a URL without a password stays',
    { target: 'http://127.0.0.1:3000/api?x=1', who: 'https://user@host/' },
    { target: 'http://127.0.0.1:3000/api?x=1', who: 'https://user@host/' },
  ],
  ['a PEM private key block', { tls: `key:\n${PEM}\nend` }, { tls: `key:\n${R}\nend` }],
  ['a PEM certificate stays', { ca: CERTIFICATE }, { ca: CERTIFICATE }],
  [
    'Bearer tokens',
    { header: `Bearer ${JWT}`, other: 'bearer abc.def' },
    { header: `Bearer ${R}`, other: `bearer ${R}` },
  ],
  [
    'Basic credentials, encoded or not',
    { h1: basic('admin:hunter2'), h2: 'Basic admin:hunter2' },
    { h1: `Basic ${R}`, h2: `Basic ${R}` },
  ],
  [
    'the word basic in prose stays',
    { level: 'Basic plan', mode: 'basic' },
    { level: 'Basic plan', mode: 'basic' },
  ],
  ['a JWT alone or in text', { loose: JWT, text: `got ${JWT} back` }, { loose: R, text: `got ${R} back` }],
  [
    'dotted names are not JWTs',
    { host: 'www.example.com', version: '1.2.3' },
    { host: 'www.example.com', version: '1.2.3' },
  ],
  [
    'key=value pairs naming a secret',
    { dsn: "host=db user=admin password='a b' dbname=app", q: '/cb?code=1&access_token=abc&state=2' },
    { dsn: `host=db user=admin password=${R} dbname=app`, q: `/cb?code=1&access_token=${R}&state=2` },
  ],
  [
    'key=value pairs that do not stay',
    { q: '/items?page=2&sort=name', expr: 'rate=0.5' },
    { q: '/items?page=2&sort=name', expr: 'rate=0.5' },
  ],
  [
    'JSON pairs quoted in a message',
    { message: 'unexpected check result: {"id":1,"password":"x\\"y","pin": 1234,"ok":false}' },
    { message: `unexpected check result: {"id":1,"password":"${R}","pin": "${R}","ok":false}` },
  ],
  // Recursively, in arrays and nested objects; other types unchanged.
  [
    'nested arrays and objects',
    {
      users: [
        { id: 'u1', token: JWT },
        { id: 'u2', note: `Bearer ${JWT}` },
      ],
      deep: { a: [[{ password: 'x' }]] },
    },
    {
      users: [
        { id: 'u1', token: R },
        { id: 'u2', note: `Bearer ${R}` },
      ],
      deep: { a: [[{ password: R }]] },
    },
  ],
  ['scalars and empty values', [1, true, null, '', 'plain'], [1, true, null, '', 'plain']],
  ['a secret-shaped key is itself redacted', { [JWT]: 1 }, { [R]: 1 }],
];

describe('setup data without secrets', () => {
  for (const [what, input, expected] of CASES)
    it(what, () => {
      assert.deepEqual(withoutSecrets(input), expected);
    });

  it('no secret of the table is left anywhere in the output', () => {
    const out = JSON.stringify(withoutSecrets(CASES.map((c) => c[1])));
    for (const secret of [
      'hunter2',
      's3cr3t',
      'p@ss:w0rd',
      'MIIEowIBAAKCAQEA',
      'c2lnbmF0dXJl',
      'correct horse',
    ])
      assert.equal(out.includes(secret), false, secret);
  });

  it('a key is split into whole words', () => {
    assert.equal(isSecretKey('x-api-key'), true);
    assert.equal(isSecretKey('SESSION_ID'), true);
    assert.equal(isSecretKey('spinner'), false);
    assert.equal(isSecretKey('apiVersion'), false);
  });

  it('a Date stays a Date; data nested deeper than 64 levels is redacted', () => {
    const at = new Date(0);
    assert.equal((withoutSecrets({ at }) as { at: Date }).at, at);
    let deep: unknown = 'x';
    for (let i = 0; i < 80; i++) deep = [deep];
    assert.ok(JSON.stringify(withoutSecrets(deep)).includes(R));
  });
});
