/**
 * --out and the other output flags: a destination that cannot be written is an error before any
 * load is sent. Each runs the real CLI against a loopback server.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, outsideDir, runCli, runProcess, writePlan } from '../../helpers/cli.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { plan } from './plan.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

describe('--out', () => {
  /** A plan that would request /never-sent, in a folder with a regular file to put outputs under. */
  function planBesideAFile() {
    const dir = outsideDir();
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `executor: 'shared-iterations', vus: 1, iterations: 3, flow: async (vu) => { await vu.http.get('/never-sent'); }`,
      ),
    );
    server.counts.clear();
    return { dir, blocker, file };
  }

  it('a folder that cannot be written is an error before any load is sent (exit 2)', async () => {
    const { dir, blocker, file } = planBesideAFile();
    const r = await runCli(['run', file, '--out', join(blocker, 'out')], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--out .*a-file\/out: cannot write results there \(ENOTDIR/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(server.counts.get('/never-sent'), undefined, 'no load was sent');
    assert.equal(existsSync(join(blocker, 'out')), false);
  });

  it('--out json=, --out csv= and --summary-export that cannot be written: exit 2 before any load, the flag named', async () => {
    const { dir, blocker, file } = planBesideAFile();
    const cases: [string[], RegExp][] = [
      [
        ['--out', `json=${join(blocker, 's.ndjson')}`],
        /--out json=.*a-file\/s\.ndjson: cannot write there \(ENOTDIR: not a directory/,
      ],
      [
        ['--out', `csv=${join(blocker, 's.csv')}`],
        /--out csv=.*a-file\/s\.csv: cannot write there \(ENOTDIR: not a directory/,
      ],
      [
        ['--summary-export', join(blocker, 's.json')],
        /--summary-export .*a-file: cannot write results there \(EEXIST: file already exists/,
      ],
    ];
    for (const [flags, message] of cases) {
      const r = await runCli(['run', file, '--out', join(dir, 'out'), ...flags], { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.equal(server.counts.get('/never-sent'), undefined, 'no load was sent');
  });

  it('a read-only folder, for a user held to its mode: an error before any load is sent (exit 2)', async () => {
    const dir = outsideDir();
    const readOnly = join(dir, 'read-only');
    mkdirSync(readOnly, { mode: 0o555 });
    const file = writePlan(
      dir,
      'plan.ts',
      plan(
        server.url,
        `executor: 'shared-iterations', vus: 1, iterations: 3, flow: async (vu) => { await vu.http.get('/never-sent'); }`,
      ),
    );
    server.counts.clear();
    const args = [BIN, 'run', file, '--out', join(readOnly, 'out')];
    // Root writes anywhere: drop the capabilities that override file permissions, so root is held
    // to the folder's mode like any user, and still reaches the project wherever it is cloned.
    const r =
      process.getuid?.() === 0
        ? await runProcess(
            'setpriv',
            ['--bounding-set=-dac_override,-dac_read_search,-fowner', process.execPath, ...args],
            { cwd: dir },
          )
        : await runProcess(process.execPath, args, { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--out .*read-only\/out: cannot write results there \(EACCES: permission denied/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(server.counts.get('/never-sent'), undefined, 'no load was sent');
  });
});
