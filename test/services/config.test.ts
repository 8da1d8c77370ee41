/**
 * `npm run serve:clinic` and `serve:rehab` refuse a bad setting before they start anything:
 * exit 2, and the variable named.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

function serve(service: 'clinic' | 'rehab', env: Record<string, string>) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', new URL(`../../services/${service}/main.ts`, import.meta.url).pathname],
    {
      env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
}

const CASES: [service: 'clinic' | 'rehab', env: Record<string, string>, message: RegExp][] = [
  ['clinic', { CLINIC_TX_GROUP: '0' }, /^clinic: CLINIC_TX_GROUP: expected a positive integer, got "0"$/m],
  [
    'clinic',
    { CLINIC_TX_CONCURRENCY: 'two' },
    /CLINIC_TX_CONCURRENCY: expected a positive integer, got "two"/,
  ],
  ['clinic', { CLINIC_DB_POOL: '' }, /CLINIC_DB_POOL: expected a positive integer, got ""/],
  [
    'clinic',
    { CLINIC_TX_CONCURRENCY: '30', CLINIC_DB_POOL: '20' },
    /CLINIC_TX_CONCURRENCY: 30 transactions need as many connections; CLINIC_DB_POOL is 20/,
  ],
  [
    'clinic',
    { CLINIC_STRATEGY: 'unsafe' },
    /CLINIC_STRATEGY: expected serializable or row-lock, got "unsafe"/,
  ],
  ['clinic', { PORT: '70000' }, /PORT: expected a port number, got "70000"/],
  [
    'rehab',
    { REHAB_BATCH_SIZE: '1.5' },
    /^rehab: REHAB_BATCH_SIZE: expected a positive integer, got "1.5"$/m,
  ],
  ['rehab', { REHAB_PROCESSORS: '' }, /REHAB_PROCESSORS: expected a positive integer, got ""/],
  ['rehab', { PORT: '-1' }, /PORT: expected a port number, got "-1"/],
];

describe('service configuration', () => {
  for (const [service, env, message] of CASES) {
    it(`${service} ${JSON.stringify(env)}: exit 2, naming the variable`, () => {
      const r = serve(service, env);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }
});
