/** `npm run serve:clinic` refuses a bad configuration before it starts anything: exit 2, and the variable named. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const MAIN = new URL('../../../services/clinic/main.ts', import.meta.url).pathname;

function serve(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('clinic configuration', () => {
  for (const [env, message] of [
    [{ CLINIC_TX_GROUP: '0' }, /CLINIC_TX_GROUP: expected a positive integer, got "0"/],
    [{ CLINIC_TX_CONCURRENCY: 'two' }, /CLINIC_TX_CONCURRENCY: expected a positive integer, got "two"/],
    [
      { CLINIC_TX_CONCURRENCY: '30', CLINIC_DB_POOL: '20' },
      /CLINIC_TX_CONCURRENCY: 30 transactions need as many connections; CLINIC_DB_POOL is 20/,
    ],
    [{ CLINIC_STRATEGY: 'unsafe' }, /CLINIC_STRATEGY: expected serializable or row-lock, got "unsafe"/],
  ] as const) {
    it(`${JSON.stringify(env)}: exit 2, naming the variable`, () => {
      const r = serve(env);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }
});
