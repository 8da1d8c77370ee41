/**
 * A sharded run whose setup() returns credentials: the first shard keeps setup's data for the
 * merge, but neither its results.json nor the framed line it prints on stdout (what a pod's log
 * holds) carries any of the secrets. The merge's after checks still get the data that is not
 * secret, and take credentials from the environment. And a run whose check fails with rows and a
 * message holding secrets: none of them in results.json, the reports, the framed line or the
 * console.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { type CliRun, outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';

const SECRETS = [
  'Adm1nPassw0rd',
  'MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM',
  'corr3ct-h0rse-battery',
  'hunter2-basic',
  'p1n-97531',
  'sk_live_51Habc',
  'c2lnbmF0dXJlLW9mLWEtand0',
];
const JWT = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.${SECRETS[6]}`;
const setupData = {
  databaseUrl: `postgres://admin:${SECRETS[0]}@db.internal:5432/app`,
  tls: { key: `-----BEGIN PRIVATE KEY-----\n${SECRETS[1]}\n-----END PRIVATE KEY-----` },
  passphrase: SECRETS[2],
  basic: `Basic ${Buffer.from(`admin:${SECRETS[3]}`).toString('base64')}`,
  users: [
    { id: 'u1', pin: SECRETS[4], header: `Bearer ${JWT}` },
    { id: 'u2', apiKey: SECRETS[5] },
  ],
  expected: 6,
};

let server: Server;
let dir = '';
let shards: CliRun[] = [];
let merged: CliRun;
before(async () => {
  server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = outsideDir();
  const plan = writePlan(
    dir,
    'plan.ts',
    `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  setup: () => (${JSON.stringify(setupData)}),
  scenarios: {
    s: { executor: 'shared-iterations', vus: 2, iterations: 6, flow: async (vu) => { await vu.http.get('/'); } },
  },
  checks: {
    setup_data_at_the_merge: {
      run: (ctx) => {
        if (ctx.setup.expected !== ctx.counter('http_reqs')) return 'expected ' + ctx.setup.expected;
        if (ctx.setup.users.map((u) => u.id).join() !== 'u1,u2') return 'users ' + JSON.stringify(ctx.setup.users);
        if (!ctx.setup.databaseUrl.startsWith('postgres://admin:')) return 'url ' + ctx.setup.databaseUrl;
        if (ctx.env.DB_PASSWORD !== 'from-the-environment') return 'no DB_PASSWORD in ctx.env';
      },
    },
  },
});
`,
  );
  const startAt = new Date(Date.now() + 20_000).toISOString();
  shards = await Promise.all(
    [0, 1].map((i) =>
      runCli(
        [
          'run',
          plan,
          '--shard',
          `${i}/2`,
          '--start-at',
          startAt,
          '--workers',
          '1',
          '--quiet',
          '--results-to',
          'stdout',
          '--out',
          join(dir, `shard-${i}`),
        ],
        { cwd: dir, timeoutMs: 90_000 },
      ),
    ),
  );
  merged = await runCli(
    [
      'merge',
      join(dir, 'shard-0', 'results.json'),
      join(dir, 'shard-1', 'results.json'),
      '--plan',
      plan,
      '--out',
      join(dir, 'merged'),
    ],
    { cwd: dir, env: { ...process.env, DB_PASSWORD: 'from-the-environment' }, timeoutMs: 90_000 },
  );
});
after(() => new Promise<void>((r) => server.close(() => r())));

describe("a shard's setup() data", () => {
  it('is kept for the merge without any secret, in results.json and in the framed stdout line', () => {
    for (const [i, r] of shards.entries()) assert.equal(r.code, 0, `shard ${i}: ${r.stderr}`);
    const file = readFileSync(join(dir, 'shard-0', 'results.json'), 'utf8');
    const line = shards[0]?.stdout.split('\n').find((l) => l.startsWith('loadproof-results:v1:')) ?? '';
    assert.ok(line, 'the first shard printed its framed results line');
    const framed = gunzipSync(Buffer.from(line.slice('loadproof-results:v1:'.length), 'base64')).toString();
    for (const text of [file, framed, shards[0]?.stdout ?? '', shards[0]?.stderr ?? ''])
      for (const secret of SECRETS) assert.equal(text.includes(secret), false, `${secret} leaked`);
    const setup = readResults(join(dir, 'shard-0')).shard?.setup as typeof setupData;
    assert.equal(setup.databaseUrl, 'postgres://admin:[redacted]@db.internal:5432/app');
    assert.equal(setup.expected, 6);
    assert.deepEqual(
      setup.users.map((u) => u.id),
      ['u1', 'u2'],
    );
  });

  it("the merge's after checks still see the data that is not secret, and credentials from the environment", () => {
    assert.equal(merged.code, 0, merged.stderr);
    const check = readResults(join(dir, 'merged')).checks.find((c) => c.name === 'setup_data_at_the_merge');
    assert.equal(check?.ok, true, JSON.stringify(check));
    assert.equal(check?.runs, 1);
  });
});

describe('a failing check whose rows and message hold secrets', () => {
  it('leaves none of them in results.json, the reports, the framed line or the console; the rest is kept', async () => {
    const dir = outsideDir();
    const plan = writePlan(
      dir,
      'plan.ts',
      `import { definePlan } from 'loadproof';
export default definePlan({
  target: 'http://127.0.0.1:9',
  scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 1, flow: async () => {} } },
  checks: {
    users_leak: {
      before: true,
      after: false,
      run: () => ({
        ok: false,
        message: 'found at postgres://admin:${SECRETS[0]}@db/app',
        rows: [{ id: 'u1', password: '${SECRETS[2]}', note: 'Bearer ${JWT}' }],
      }),
    },
  },
});
`,
    );
    const r = await runCli(
      ['run', plan, '--workers', '1', '--results-to', 'stdout', '--out', join(dir, 'out')],
      {
        cwd: dir,
        timeoutMs: 60_000,
      },
    );
    assert.equal(r.code, 3, r.stderr);
    const line = r.stdout.split('\n').find((l) => l.startsWith('loadproof-results:v1:')) ?? '';
    const framed = gunzipSync(Buffer.from(line.slice('loadproof-results:v1:'.length), 'base64')).toString();
    const written = readdirSync(join(dir, 'out')).map((f) => readFileSync(join(dir, 'out', f), 'utf8'));
    assert.ok(written.length >= 4, 'results.json and the reports');
    for (const text of [framed, ...written, r.stdout, r.stderr])
      for (const secret of [SECRETS[0], SECRETS[2], SECRETS[6]] as string[])
        assert.equal(text.includes(secret), false, `${secret} leaked`);
    const check = readResults(join(dir, 'out')).checks.find((c) => c.name === 'users_leak');
    assert.equal(check?.ok, false);
    assert.equal(check?.message, 'found at postgres://admin:[redacted]@db/app');
    assert.deepEqual(check?.rows, [{ id: 'u1', password: '[redacted]', note: 'Bearer [redacted]' }]);
  });
});
