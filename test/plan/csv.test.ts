/**
 * A CSV whose quote never closes is an error naming the file and the line the quote opened on,
 * for a plan's data files and for Artillery payloads alike, never one field swallowing the rest.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PlanLoadError } from '../../src/errors.ts';
import { CsvSyntaxError, parseCsv } from '../../src/plan/csv.ts';
import { loadData } from '../../src/plan/data.ts';
import { loadPlanFile } from '../../src/plan/load.ts';
import { outsideDir, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const UNTERMINATED = 'id,name\n1,Ann\r\n2,"Bo\n3,Cy\n';

describe('CSV syntax', () => {
  it('an unterminated quote names the line it opened on (LF, CRLF and quoted line breaks counted)', () => {
    assert.throws(
      () => parseCsv(UNTERMINATED),
      (e: Error) =>
        e instanceof CsvSyntaxError && e.line === 3 && /unterminated quoted field/.test(e.message),
    );
    assert.throws(
      () => parseCsv('a\r\n"multi\nline",x\r\n"open'),
      (e: Error) => e instanceof CsvSyntaxError && e.line === 4,
    );
    assert.deepEqual(parseCsv('a,"b\nc"\nd,e'), [
      ['a', 'b\nc'],
      ['d', 'e'],
    ]);
  });

  it('a data file: data.NAME, the file and the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadproof-csv-'));
    writeFileSync(join(dir, 'users.csv'), UNTERMINATED);
    assert.throws(
      () => loadData({ users: { file: 'users.csv' } }, dir),
      (e: Error) => {
        assert.ok(e instanceof PlanLoadError);
        assert.equal(e.exitCode, 2);
        assert.equal(
          e.message,
          `data.users: ${join(dir, 'users.csv')}:3: unterminated quoted field: its opening quote is never closed`,
        );
        return true;
      },
    );
  });

  it('an Artillery payload: the file and the line, when the script is loaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadproof-csv-'));
    writeFileSync(join(dir, 'users.csv'), UNTERMINATED);
    const script = join(dir, 'script.yml');
    writeFileSync(
      script,
      [
        'config:',
        '  target: http://127.0.0.1:9',
        '  phases: [{ duration: 1, arrivalRate: 1 }]',
        '  payload: { path: users.csv, fields: [id, name] }',
        'scenarios:',
        '  - flow: [{ get: { url: "/{{ id }}" } }]',
        '',
      ].join('\n'),
    );
    await assert.rejects(loadPlanFile(script), (e: Error) => {
      assert.ok(e instanceof PlanLoadError);
      assert.equal(
        e.message,
        `payload ${join(dir, 'users.csv')}:3: unterminated quoted field: its opening quote is never closed`,
      );
      return true;
    });
  });

  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('loadproof run: exit 2 before any load', async () => {
    const dir = outsideDir();
    writeFileSync(join(dir, 'users.csv'), UNTERMINATED);
    const file = writePlan(
      dir,
      'plan.ts',
      `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${server.url}',
  data: { users: { file: 'users.csv' } },
  scenarios: { main: { executor: 'constant-vus', vus: 1, duration: '1s', flow: async (vu) => { await vu.http.get('/hello'); } } },
});
`,
    );
    const r = await runCli(['run', file, '--out', dir], { cwd: dir, timeoutMs: 30_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /data\.users: .*users\.csv:3: unterminated quoted field/);
    assert.equal(server.total(), 0);
  });
});
