/**
 * k6/experimental/redis against Debian's redis-server, started here on a loopback port with a
 * temporary folder (skipped, with a note, when /usr/bin/redis-server is missing).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { type K6Context, runIn } from '../../../src/plan/k6/context.ts';
import { Client } from '../../../src/plan/k6/modules/redis.ts';
import { standaloneHttp } from '../../../src/plan/k6/standalone-http.ts';
import { runCli } from '../../helpers/cli.ts';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { FIXTURES, runK6 } from './harness.ts';

const REDIS_SERVER = '/usr/bin/redis-server';
const available = existsSync(REDIS_SERVER);
if (!available)
  console.log(`# k6 redis tests skipped: ${REDIS_SERVER} is not installed (apt-get install redis-server)`);

let server: RecordingServer;
let redisServer: ChildProcess | undefined;
let dir = '';
let addr = '';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    sock.once('error', () => resolve(false));
    sock.connect(port, '127.0.0.1', () => {
      sock.write('PING\r\n');
      sock.once('data', (d) => {
        sock.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
    });
  });
}

before(async () => {
  server = await startRecordingServer();
  if (!available) return;
  dir = mkdtempSync(join(tmpdir(), 'loadproof-redis-'));
  const port = await freePort();
  redisServer = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100 && !(await answers(port)); i++) await new Promise((r) => setTimeout(r, 50));
  addr = `127.0.0.1:${port}`;
});
after(async () => {
  await server.close();
  redisServer?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('k6 redis', { skip: !available && `${REDIS_SERVER} is not installed` }, () => {
  it('commands answer promises; chains never awaited still finish before their iteration (and handleSummary) ends', async () => {
    const r = await runK6(server, 'redis.js', ['--env', `REDIS_ADDR=${addr}`]);
    assert.equal(r.code, 0, r.stderr);
    const checks = r.results().flowChecks;
    for (const name of [
      'the key was deleted',
      'hset then hget',
      'hgetall is an object',
      'lpush then rpop',
      'set with an expiration',
      'sismember answers a boolean',
      'get of a missing key rejects with redis: nil',
    ])
      assert.deepEqual(checks[name], { passes: 6, fails: 0 }, name);
    assert.equal(
      ['/users/1', '/users/2', '/users/3'].reduce((n, p) => n + server.count('GET', p), 0),
      6,
    );
    const c = createClient({ socket: { host: '127.0.0.1', port: Number(addr.split(':')[1]) } });
    await c.connect();
    try {
      assert.equal(await c.get('iterations'), '6');
      assert.deepEqual(await c.hGetAll('visits'), { '200': '6' });
      assert.equal(await c.exists(['foo-1', 'foo-2']), 0);
      assert.equal(await c.get('summary-iterations'), '6', "handleSummary's write");
      assert.ok((await c.ttl('summary-iterations')) > 0, "handleSummary's chain ran to its end");
    } finally {
      await c.close();
    }
  });

  it('convert names the Client as having no plan equivalent', async () => {
    const r = await runCli(['convert', `${FIXTURES}redis.js`, '-e', `REDIS_ADDR=${addr}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /k6\.unsupported\('k6\/experimental\/redis'\)/);
  });
});

describe('k6 redis client without a server', () => {
  it('refuses to connect in init code, and a command to a closed port rejects (tried again by the next)', async () => {
    const port = await freePort();
    const client = new Client({ addrs: [`127.0.0.1:${port}`], maxRetries: 0 });
    await assert.rejects(client.get('k'), /init context is not supported/);
    const ctx: K6Context = { stage: 'setup', http: standaloneHttp, env: {} };
    await assert.rejects(
      runIn(ctx, () => client.get('k')),
      /ECONNREFUSED|connect/i,
    );
    await assert.rejects(
      runIn(ctx, () => client.get('k')),
      /ECONNREFUSED|connect/i,
    );
  });

  it("refuses k6's cluster and sentinel modes and unknown options by name", () => {
    assert.throws(() => new Client({ addrs: ['a:1', 'b:2'] }), /cluster mode/);
    assert.throws(() => new Client({ addrs: ['a:1'], masterName: 'm' }), /sentinel mode/);
    assert.throws(() => new Client({ addrs: ['a:1'], tls: true }), /unknown option "tls"/);
  });
});
