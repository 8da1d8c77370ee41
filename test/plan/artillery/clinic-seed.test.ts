/**
 * Seed 000's Artillery suite as its authors laid it out (scenarios/*.yml, a processor in
 * helpers/ reading fixtures/test-data.json), run by `loadproof run` against the clinic service on
 * a real PostgreSQL. Under contention, 409s are expected outcomes and nothing is overbooked.
 * Latency thresholds are judged, not asserted to pass (test/helpers/machine-independent.ts).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PostgresHandle } from '../../../services/shared/postgres.ts';
import { OVERBOOKED_SQL } from '../../../suites/clinic/integrity.ts';
import { readResults, runCli } from '../../helpers/cli.ts';
import { isTimingThreshold, reasonsOnAnyMachine } from '../../helpers/machine-independent.ts';
import { testPostgres } from '../../helpers/postgres.ts';
import { type ClinicUnderTest, clinicUnderTest } from '../../services/clinic/helpers.ts';

let pg: PostgresHandle;
before(async () => {
  pg = await testPostgres();
});
after(async () => {
  await pg.stop();
});

/** The suite's folder with the fixture the setup step writes (tokens: never in the repository). */
function suiteFolder(clinic: ClinicUnderTest): string {
  const dir = mkdtempSync(join(tmpdir(), 'loadproof-seed000-'));
  cpSync(new URL('./fixtures/clinic-suite/', import.meta.url).pathname, dir, { recursive: true });
  mkdirSync(join(dir, 'fixtures'), { recursive: true });
  writeFileSync(join(dir, 'fixtures', 'test-data.json'), JSON.stringify(clinic.fixture), { mode: 0o600 });
  return dir;
}

async function runScenario(database: string, scenario: string) {
  const clinic = await clinicUnderTest(pg, database);
  try {
    const dir = suiteFolder(clinic);
    const out = join(dir, 'results');
    const r = await runCli(
      [
        'run',
        `scenarios/${scenario}.yml`,
        '--environment',
        'test',
        '--env',
        `CLINIC_URL=${clinic.url}`,
        '--env',
        `DATABASE_URL=${pg.databaseUrl(database)}`,
        '--out',
        out,
      ],
      { cwd: dir },
    );
    const overbooked = (await clinic.db.query(OVERBOOKED_SQL)).rows;
    const units = (
      await clinic.db.query('SELECT id, total_units, used_units, scheduled_units FROM authorizations')
    ).rows as { id: string; total_units: number; used_units: number; scheduled_units: number }[];
    return { r, res: readResults(out), overbooked, units, clinic };
  } finally {
    await clinic.close();
  }
}

describe("seed 000's Artillery suite against the clinic service", () => {
  it('high-contention.yml: exactly 5 reservations of 10 on the 50-unit authorization, 45 conflicts, every check holds', async () => {
    const { r, res, overbooked, units, clinic } = await runScenario(
      'artillery_contention',
      'high-contention',
    );
    assert.ok(r.code === 0 || r.code === 3, `${r.stderr}\n${r.stdout}`);
    assert.deepEqual(reasonsOnAnyMachine(res), []);
    assert.deepEqual(res.requests.byStatus, { '200': 5, '409': 45 });
    assert.equal(res.requests.failed, 0, '409 is in the statusCode expectation: an expected outcome');
    assert.deepEqual(overbooked, []);
    const contended = units.find((u) => u.id === clinic.fixture.highContentionAuthIds[0]);
    assert.deepEqual(contended && [contended.total_units, contended.scheduled_units], [50, 50]);
    assert.deepEqual(
      res.checks.map((c) => [c.name, c.ok]),
      [['no_overbooking', true]],
    );
    const conflicts = res.metrics['units.conflicts'];
    assert.equal(conflicts?.type === 'counter' && conflicts.count, 45, 'the processor emitted its counter');
    assert.deepEqual(
      res.thresholds.map((t) => [
        t.metric,
        t.expression,
        isTimingThreshold(res, t) ? t.actual !== null : t.level,
      ]),
      [
        ['http_req_duration', 'p(95)<200', true],
        ['http_req_duration', 'p(99)<500', true],
        ['vusers.failed', 'rate<=0.01', 'PASS'],
        ['http_reqs{status:200}', 'count<=5', 'PASS'],
        ['http_reqs{status:500}', 'count==0', 'PASS'],
        ['checks', 'rate==1', 'PASS'],
      ],
    );
    assert.deepEqual(Object.keys(res.flowChecks), [
      'POST /api/authorizations/:id/reserve: statusCode [200,409]',
      'POST /api/authorizations/:id/reserve: contentType json',
    ]);
  });

  it('high-throughput.yml and mixed-operations.yml: every request answered, weights exact, no overbooking', async () => {
    const t = await runScenario('artillery_throughput', 'high-throughput');
    assert.ok(t.r.code === 0 || t.r.code === 3, `${t.r.stderr}\n${t.r.stdout}`);
    assert.deepEqual(reasonsOnAnyMachine(t.res), []);
    assert.deepEqual(t.res.requests.byStatus, { '200': 50 }, 'a ramp from 10/s to 40/s over 2 s');
    assert.deepEqual(t.overbooked, []);

    const m = await runScenario('artillery_mixed', 'mixed-operations');
    assert.ok(m.r.code === 0 || m.r.code === 3, `${m.r.stderr}\n${m.r.stdout}`);
    assert.deepEqual(reasonsOnAnyMachine(m.res), []);
    const flows = Object.values(m.res.scenarios)[0]?.flows;
    assert.deepEqual(flows, { reserve: 28, release: 8, consume: 4 }, '70/20/10 of 40 arrivals');
    const statuses = m.res.requests.byStatus;
    assert.equal((statuses['200'] ?? 0) + (statuses['409'] ?? 0), 40);
    assert.deepEqual(m.overbooked, []);
    assert.ok(m.res.checks.every((c) => c.ok));
  });
});
