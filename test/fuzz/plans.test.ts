/**
 * Fuzz: 1000 mutants of the repository's own plans and Artillery scripts (fixed seed, so a
 * failure is found again), each loaded through the path `loadproof run` takes before any load:
 * every one is a plan or a refusal with exit 2 and a message, in bounded time, never another
 * exception. A sample of them then runs through the real CLI against a loopback server, with a
 * guard that refuses any connection off the loopback: exit 0, 2 or 3, no stack trace, no hang.
 * `npm run bench -- fuzz` runs a larger campaign.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writePlan } from '../helpers/cli.ts';
import { type RecordingServer, startRecordingServer } from '../plan/artillery/server.ts';
import { type Campaign, runCampaign } from './campaign.ts';
import { runMutant } from './run-mutant.ts';

const MUTANTS = 1000;
const CLI_RUNS = 4;
const SEED = 15;
/** Loading one mutant may take this long on a busy machine; more is a hang in the making. */
const MAX_LOAD_MS = 10_000;

describe('fuzz: mutated plans and Artillery scripts', { timeout: 10 * 60_000 }, () => {
  let server: RecordingServer;
  let campaign: Campaign;
  before(async () => {
    server = await startRecordingServer();
    campaign = await runCampaign({
      dir: mkdtempSync(join(tmpdir(), 'loadproof-fuzz-')),
      count: MUTANTS,
      cliCount: CLI_RUNS,
      seed: SEED,
      target: server.url,
      cliTimeoutMs: 120_000,
    });
  });
  after(() => server.close());

  it(`${MUTANTS} mutants: each a plan or a refusal (exit 2) with a message, none a crash`, () => {
    assert.equal(campaign.loaded.length, MUTANTS);
    const bugs = campaign.loaded.filter((l) => l.outcome.kind === 'bug');
    assert.deepEqual(
      bugs.map((b) => `${b.mutant.file}: ${b.outcome.kind === 'bug' ? b.outcome.error : ''}`),
      [],
    );
    const kinds = new Set(campaign.loaded.map((l) => `${l.mutant.kind} ${l.outcome.kind}`));
    for (const k of ['yaml plan', 'yaml refused', 'ts plan', 'ts refused'])
      assert.ok(kinds.has(k), `the mutants reach both outcomes for both formats (${k} missing)`);
  });

  it('each loads within a bounded time', () => {
    const slow = campaign.loaded.filter((l) => l.outcome.ms > MAX_LOAD_MS);
    assert.deepEqual(
      slow.map((s) => `${s.mutant.file}: ${s.outcome.ms} ms`),
      [],
    );
  });

  it('a sample through the CLI: exit 0, 2 or 3 as loading predicted, no stack trace, loopback only', () => {
    assert.equal(campaign.cli.length, CLI_RUNS);
    for (const run of campaign.cli) {
      const what = `${run.mutant.file} (exit ${run.outcome.code}, ${run.outcome.ms} ms): ${run.outcome.stderr}`;
      assert.deepEqual(run.outcome.problems, [], what);
      if (run.expected === 'refused') assert.equal(run.outcome.code, 2, what);
      else assert.ok(run.outcome.code === 0 || run.outcome.code === 3, what);
    }
    assert.ok(
      campaign.cli.some((c) => c.expected === 'plan'),
      'some sampled mutants really run',
    );
  });

  it('the guard holds: a plan aimed off the loopback connects nowhere and is reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadproof-fuzz-guard-'));
    // 192.0.2.1 is reserved for documentation (RFC 5737): nothing answers there in any case.
    const file = writePlan(
      dir,
      'off-loopback.ts',
      `import { definePlan } from 'loadproof';
export default definePlan({
  target: 'http://192.0.2.1:9',
  scenarios: { main: { executor: 'per-vu-iterations', vus: 1, iterations: 1, flow: async (vu) => { await vu.http.get('/'); } } },
});
`,
    );
    const r = await runMutant(file, server.url, dir, 60_000);
    assert.match(r.stderr, /LOOPBACK-ONLY: refused a connection to 192\.0\.2\.1/);
    assert.ok(r.problems.includes('a connection off the loopback'), r.problems.join(', '));
  });
});
