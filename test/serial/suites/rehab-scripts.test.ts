/**
 * The rehab suite's script as a user meets it: its configuration file is really read (a wrong
 * field is named with its path), its prerequisite checks say what is wrong (service not
 * running, token rejected, a token without the admin role), setup writes a private fixture, and
 * cleanup removes only results older than 7 days.
 *
 * Serial (DEVELOPERS.md, "How tests run"): the script writes the suite's shared fixture
 * (suites/rehab/fixtures/test-data.json) and results/, which test/suites/rehab-suite.test.ts
 * uses too.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningRehab, startRehab } from '../../../services/rehab/app.ts';
import { signRehabToken } from '../../../services/rehab/auth.ts';
import { recreateDatabase } from '../../../services/shared/database.ts';
import { freePort, type PostgresHandle } from '../../../services/shared/postgres.ts';
import { ConfigError, DEFAULT_CONFIG_FILE, readRehabConfig } from '../../../suites/rehab/config.ts';
import { FIXTURE_FILE } from '../../../suites/rehab/seed-data.ts';
import { runProcess } from '../../helpers/cli.ts';
import { testPostgres } from '../../helpers/postgres.ts';

const SCRIPT = new URL('../../../suites/rehab/scripts/run_tests.sh', import.meta.url).pathname;
const RESULTS = new URL('../../../results/', import.meta.url).pathname;
const SECRET = new TextEncoder().encode('rehab-scripts-test-secret-0123456789-012345');

let server: PostgresHandle;
let rehab: RunningRehab;
let databaseUrl: string;
before(async () => {
  server = await testPostgres();
  databaseUrl = server.databaseUrl('rehab_scripts');
  await recreateDatabase(databaseUrl);
  rehab = await startRehab({ databaseUrl, secret: SECRET });
});
after(async () => {
  await rehab.close();
  await server.stop();
});

const script = (command: string, env: Record<string, string>) =>
  runProcess('bash', [SCRIPT, command], {
    env: { ...process.env, LOADPROOF_PROFILE: 'quick', DATABASE_URL: databaseUrl, ...env },
  });

describe('rehab suite configuration', () => {
  it('is read from the file, with BASE_URL over baseUrl and the profile chosen', () => {
    const full = readRehabConfig(DEFAULT_CONFIG_FILE, 'full');
    const quick = readRehabConfig(DEFAULT_CONFIG_FILE, 'quick');
    assert.equal(full.profile.sustained.duration, '5m');
    assert.equal(quick.profile.sustained.duration, '8s');
    assert.equal(full.thresholds.apiP95Ms.critical, 500);
    const saved = process.env.BASE_URL;
    process.env.BASE_URL = 'http://127.0.0.1:4999/';
    try {
      assert.equal(readRehabConfig(DEFAULT_CONFIG_FILE, 'quick').baseUrl, 'http://127.0.0.1:4999');
    } finally {
      if (saved === undefined) delete process.env.BASE_URL;
      else process.env.BASE_URL = saved;
    }
  });

  it('names the file and the path of a wrong field, and the script exits 2', async () => {
    const config = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8'));
    config.profiles.quick.burst.peak = 'lots';
    const file = join(mkdtempSync(join(tmpdir(), 'rehab-config-')), 'config.json');
    writeFileSync(file, JSON.stringify(config));
    assert.throws(
      () => readRehabConfig(file, 'quick'),
      (e: Error) =>
        e instanceof ConfigError &&
        e.message === `${file}: profiles.quick.burst.peak: expected a number >= 1, got "lots"`,
    );
    const run = await script('smoke', { REHAB_CONFIG: file, BASE_URL: rehab.url });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /profiles\.quick\.burst\.peak: expected a number >= 1/);
  });
});

describe('rehab suite prerequisites', () => {
  it('an unknown command: exit 2 with the commands it knows', async () => {
    const run = await script('soak', {});
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /unknown command "soak" \(expected smoke, load, pipeline, all, setup, cleanup or help\)/,
    );
  });

  it('help tells the commands and the environment', async () => {
    const run = await script('help', {});
    assert.equal(run.code, 0);
    for (const word of [
      'smoke',
      'load',
      'pipeline',
      'cleanup',
      'BASE_URL',
      'AUTH_TOKEN',
      'PIPELINE_SCENARIO',
    ])
      assert.ok(run.stdout.includes(word), word);
  });

  it('the service is not running: exit 2, saying where it looked and how to start it', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = await script('smoke', { BASE_URL: url });
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`the rehab service at ${url} is not running \\(ECONNREFUSED\\): start it with`),
    );
  });

  it('a token the service rejects, and a token without the admin role: exit 2, saying which', async () => {
    const foreign = await signRehabToken(
      new TextEncoder().encode('another-secret-entirely-0123456789-0123'),
      {
        id: 'someone',
        role: 'admin',
      },
    );
    let run = await script('setup', { BASE_URL: rehab.url, AUTH_TOKEN: foreign });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /rejected the token \(401: /);
    const device = await signRehabToken(SECRET, { id: 'patient-9', role: 'device' });
    run = await script('setup', { BASE_URL: rehab.url, AUTH_TOKEN: device });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /AUTH_TOKEN has the role "device": .* needs an admin token/);
  });

  it('setup with the service\u2019s secret writes a fixture only this user can read', async () => {
    const run = await script('setup', {
      BASE_URL: rehab.url,
      REHAB_JWT_SECRET: new TextDecoder().decode(SECRET),
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /set up 50 patients with consents and 5 therapists/);
    assert.equal(statSync(FIXTURE_FILE).mode & 0o777, 0o600);
    const f = JSON.parse(readFileSync(FIXTURE_FILE, 'utf8'));
    assert.equal(f.patients.length, 50);
    assert.equal(f.therapists.length, 5);
    assert.ok(!run.stdout.includes(f.adminToken) && !run.stderr.includes(f.adminToken), 'no token printed');
  });
});

describe('rehab suite cleanup', () => {
  it('removes rehab result folders older than 7 days and keeps the rest', async () => {
    const tag = `rehab-cleanup-test-${process.pid}`;
    const old = join(RESULTS, `${tag}-old`);
    const fresh = join(RESULTS, `${tag}-new`);
    const other = join(RESULTS, `clinic-cleanup-test-${process.pid}-old`);
    for (const d of [old, fresh, other]) mkdirSync(d, { recursive: true });
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000);
    utimesSync(old, eightDaysAgo, eightDaysAgo);
    utimesSync(other, eightDaysAgo, eightDaysAgo);
    try {
      const run = await script('cleanup', {});
      assert.equal(run.code, 0, run.stderr);
      assert.throws(() => statSync(old), /ENOENT/);
      assert.ok(statSync(fresh).isDirectory());
      assert.ok(statSync(other).isDirectory(), 'only rehab results are the suite\u2019s to remove');
    } finally {
      for (const d of [old, fresh, other]) rmSync(d, { recursive: true, force: true });
    }
  });
});
