/**
 * A run that starts makes the results it will replace unmistakably not its own: killed with
 * SIGKILL mid-run, a reused --out folder and --summary-export file hold the unfinished-run
 * marker, not the earlier run's GO, and `report`, `compare` and `merge` refuse them (exit 2).
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const unfinishedSchema = JSON.parse(
  readFileSync(new URL('../../schema/unfinished-run.schema.json', import.meta.url), 'utf8'),
);
const validateUnfinished = new Ajv2020({ strict: true, validateFormats: false }).compile(unfinishedSchema);

const planOf = (scenario: string) => `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${server.url}',
  scenarios: { main: { ${scenario} } },
});
`;

describe('results of an earlier run never pass for a killed run', () => {
  it('kill -9 mid-run: --out and --summary-export hold no GO, the old reports are gone, and report/compare/merge refuse them', async () => {
    const dir = outsideDir();
    const out = join(dir, 'out');
    const exported = join(dir, 'summary.json');
    const args = (file: string) => [
      'run',
      file,
      '--out',
      out,
      '--summary-export',
      exported,
      '--workers',
      '1',
    ];
    const quick = writePlan(
      dir,
      'quick.ts',
      planOf(
        `executor: 'shared-iterations', vus: 1, iterations: 5, flow: async (vu) => { await vu.http.get('/hello'); }`,
      ),
    );
    const first = await runCli(args(quick), { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(readResults(out).verdict.status, 'GO');
    assert.ok(existsSync(join(out, 'junit.xml')));
    const baseline = join(dir, 'baseline.json');
    copyFileSync(exported, baseline);

    const long = writePlan(
      dir,
      'long.ts',
      planOf(
        `executor: 'constant-vus', vus: 2, duration: '60s', flow: async (vu) => { await vu.http.get('/hello'); await vu.sleep(0.05); }`,
      ),
    );
    const base = server.total();
    const killed = await runCli(args(long), {
      cwd: dir,
      signal: 'SIGKILL',
      signalWhen: () => server.total() - base >= 10,
    });
    assert.equal(killed.code, null, 'killed, not ended');

    for (const path of [join(out, 'results.json'), exported]) {
      const text = readFileSync(path, 'utf8');
      const data = JSON.parse(text) as Record<string, unknown>;
      assert.equal(data.verdict, undefined, `${path} has no verdict`);
      assert.doesNotMatch(text, /"GO"/, `${path} says nothing of GO`);
      assert.equal(data.status, 'UNFINISHED');
      assert.ok(validateUnfinished(data), JSON.stringify(validateUnfinished.errors));
      assert.match(
        String(data.message),
        /long\.ts .* has not finished: it is still running, or it stopped without writing results/,
      );
    }
    for (const report of ['report.html', 'results.md', 'junit.xml'])
      assert.equal(existsSync(join(out, report)), false, `the earlier run's ${report} is gone`);

    const report = await runCli(['report', join(out, 'results.json')], { cwd: dir });
    assert.equal(report.code, 2, report.stderr);
    assert.match(
      report.stderr,
      /results\.json: not results: the run that writes this file \(.*long\.ts, started .*\) has not finished/,
    );
    const compare = await runCli(['compare', baseline, exported], { cwd: dir });
    assert.equal(compare.code, 2, compare.stderr);
    assert.match(compare.stderr, /summary\.json: not results: .* has not finished/);
    const merge = await runCli(['merge', join(out, 'results.json'), '--out', join(dir, 'merged')], {
      cwd: dir,
    });
    assert.equal(merge.code, 2, merge.stderr);
    assert.match(merge.stderr, /has not finished/);
  });

  it('a run that ends replaces the marker with its results', async () => {
    const dir = outsideDir();
    const out = join(dir, 'out');
    const exported = join(dir, 'summary.json');
    const quick = writePlan(
      dir,
      'quick.ts',
      planOf(
        `executor: 'shared-iterations', vus: 1, iterations: 3, flow: async (vu) => { await vu.http.get('/hello'); }`,
      ),
    );
    const r = await runCli(['run', quick, '--out', out, '--summary-export', exported, '--workers', '1'], {
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readResults(out).verdict.status, 'GO');
    assert.equal(
      (JSON.parse(readFileSync(exported, 'utf8')) as { verdict: { status: string } }).verdict.status,
      'GO',
    );
  });

  it('a shard killed -9 leaves its marker: merge counts that shard as missing (INCOMPLETE, exit 4), named', async () => {
    const dir = outsideDir();
    const file = writePlan(
      dir,
      'plan.ts',
      planOf(
        `executor: 'constant-vus', vus: 2, duration: '3s', flow: async (vu) => { await vu.http.get('/hello'); await vu.sleep(0.05); }`,
      ),
    );
    const shardArgs = (i: number) => [
      'run',
      file,
      '--shard',
      `${i}/2`,
      '--run-id',
      'killed-shard',
      '--workers',
      '1',
      '--out',
      join(dir, `shard-${i}`),
    ];
    const base = server.total();
    const killed = await runCli(shardArgs(1), {
      cwd: dir,
      signal: 'SIGKILL',
      signalWhen: () => server.total() - base >= 5,
    });
    assert.equal(killed.code, null, 'killed, not ended');
    const marker = join(dir, 'shard-1', 'results.json');
    const data = JSON.parse(readFileSync(marker, 'utf8')) as Record<string, unknown>;
    assert.ok(validateUnfinished(data), JSON.stringify(validateUnfinished.errors));
    assert.deepEqual(data.shard, { runId: 'killed-shard', segment: '1/2:1' });

    const alone = await runCli(['merge', marker, '--out', join(dir, 'alone')], { cwd: dir });
    assert.equal(alone.code, 4, alone.stderr);
    assert.match(alone.stderr, /no shard finished/);

    const ran = await runCli(shardArgs(0), { cwd: dir });
    assert.equal(ran.code, 0, ran.stderr);
    const merged = join(dir, 'merged');
    const merge = await runCli(['merge', join(dir, 'shard-0', 'results.json'), marker, '--out', merged], {
      cwd: dir,
    });
    assert.equal(merge.code, 4, merge.stderr);
    assert.match(
      merge.stderr,
      /shard-1\/results\.json: shard 1\/2:1 of run killed-shard did not finish .*counted as missing/,
    );
    const res = readResults(merged);
    assert.equal(res.verdict.status, 'INCOMPLETE');
    assert.match(res.verdict.reasons[0] ?? '', /missing shard 1\/2:1/);
  });
});
