/**
 * The rehab suite end to end on its quick profile: against the rehab service (its own process)
 * every check and every threshold that does not measure time holds (its latency and throughput
 * targets are the main job's, see test/helpers/machine-independent.ts); against a service that acknowledges events it never
 * writes and projects some events twice, it reaches NO-GO and names both.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRehab } from '../../services/rehab/app.ts';
import { recreateDatabase } from '../../services/shared/database.ts';
import type { PostgresHandle } from '../../services/shared/postgres.ts';
import type { CounterSummary } from '../../src/results/types.ts';
import { stopAll } from '../../src/suite/processes.ts';
import { startRehabProcess } from '../../suites/rehab/service-process.ts';
import { runRehabSuite } from '../../suites/rehab/suite.ts';
import { reasonsOnAnyMachine } from '../helpers/machine-independent.ts';
import { testPostgres } from '../helpers/postgres.ts';
import { losesEvents } from '../services/doubles/losing-event-writer.ts';
import { projectsTwice } from '../services/doubles/twice-applying-pipeline.ts';

const SECRET = 'rehab-suite-test-secret-0123456789-0123456789';
let server: PostgresHandle;
before(async () => {
  server = await testPostgres();
});
after(async () => {
  await stopAll();
  await server.stop();
});

describe('rehab suite, quick profile', () => {
  it('smoke, load and pipeline against the rehab service: every check and count holds', async () => {
    const databaseUrl = server.databaseUrl('rehab_suite_go');
    await recreateDatabase(databaseUrl);
    const rehab = await startRehabProcess({ databaseUrl, secret: SECRET });
    const suite = await runRehabSuite({
      rehabUrl: rehab.url,
      databaseUrl,
      profile: 'quick',
      outDir: mkdtempSync(join(tmpdir(), 'loadproof-rehab-suite-')),
      secret: new TextEncoder().encode(SECRET),
      quiet: true,
    });
    await rehab.stop();
    assert.deepEqual(
      suite.runs.map((r) => [r.name, reasonsOnAnyMachine(r.results)]),
      [
        ['rehab-smoke', []],
        ['rehab-load', []],
        ['rehab-pipeline', []],
      ],
    );
    for (const r of suite.runs) {
      assert.deepEqual(
        r.results.checks.filter((c) => !c.ok || c.runs < 1).map((c) => c.name),
        [],
        `${r.name}: every check ran and held`,
      );
    }
    const load = suite.runs[1]?.results;
    const ingested = load?.metrics.events_ingested as CounterSummary;
    assert.ok(ingested.count > 0, 'the load run ingested events');
    // Every 429 of the pipeline run is the backpressure phase shedding load, never a failure.
    const pipeline = suite.runs[2]?.results;
    const shed = (pipeline?.metrics.backpressure_events as CounterSummary | undefined)?.count ?? 0;
    assert.equal(pipeline?.requests.byStatus['429'] ?? 0, shed);
    assert.ok(
      (pipeline?.scenarios.backpressure?.requests.byStatus['201'] ?? 0) > 0,
      'the service still accepts writes while it sheds load',
    );
    assert.deepEqual(suite.projectionMismatches, []);
    assert.deepEqual(suite.sessionMismatches, []);
  });

  it('against a service that loses acknowledged events and projects some twice: NO-GO naming both', async () => {
    const databaseUrl = server.databaseUrl('rehab_suite_broken');
    await recreateDatabase(databaseUrl);
    const broken = await startRehab({
      databaseUrl,
      secret: new TextEncoder().encode(SECRET),
      ...losesEvents(40),
      ...projectsTwice(5),
    });
    try {
      const suite = await runRehabSuite({
        rehabUrl: broken.url,
        databaseUrl,
        profile: 'quick',
        outDir: mkdtempSync(join(tmpdir(), 'loadproof-rehab-suite-')),
        secret: new TextEncoder().encode(SECRET),
        only: ['rehab-smoke'],
        quiet: true,
      });
      const r = suite.runs[0]?.results;
      assert.equal(r?.verdict.status, 'NO-GO');
      const reasons = r?.verdict.reasons.join('\n') ?? '';
      assert.match(reasons, /check acknowledged_events_in_log failed/);
      assert.match(reasons, /check projections_match_log failed/);
      assert.ok(suite.projectionMismatches.length > 0, 'the final check finds the twice-projected subjects');
    } finally {
      await broken.close();
    }
  });
});
