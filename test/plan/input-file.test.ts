/**
 * Every file a plan reads whole (data files, Artillery payloads, through the same reader as k6's
 * `open()`) is a regular file of at most 512 MiB: anything else is a PlanLoadError (exit 2) that
 * names the path, what read it and why.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXIT, PlanLoadError } from '../../src/errors.ts';
import { loadPayload } from '../../src/plan/artillery/payload.ts';
import { loadProcessor } from '../../src/plan/artillery/processor.ts';
import { readYamlScript } from '../../src/plan/artillery/yaml.ts';
import { loadData } from '../../src/plan/data.ts';
import { MAX_INPUT_FILE_BYTES, readInputFile } from '../../src/plan/input-file.ts';
import { outsideDir, runCli } from '../helpers/cli.ts';

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loadproof-input-'));
  execFileSync('mkfifo', [join(dir, 'pipe')]);
  mkdirSync(join(dir, 'folder'));
  writeFileSync(join(dir, 'big.csv'), '');
  truncateSync(join(dir, 'big.csv'), MAX_INPUT_FILE_BYTES + 1);
  writeFileSync(join(dir, 'users.csv'), 'name\nann\n');
  return dir;
}

function refusal(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PlanLoadError, String(e));
    assert.equal(e.exitCode, EXIT.invalidInput);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('files a plan reads whole', () => {
  const dir = folder();

  it('data files: /dev/zero, a FIFO, a directory, a huge file refused by name; a CSV read', () => {
    refusal(
      () => loadData({ z: { file: '/dev/zero', format: 'csv' } }, dir),
      /^data\.z: \/dev\/zero is a character device, not a regular file/,
    );
    refusal(
      () => loadData({ p: { file: 'pipe', format: 'csv' } }, dir),
      new RegExp(`^data\\.p: ${join(dir, 'pipe')} is a FIFO`),
    );
    refusal(() => loadData({ d: { file: 'folder' } }, dir), /folder is a directory/);
    refusal(
      () => loadData({ b: { file: 'big.csv' } }, dir),
      /big\.csv is 536870913 bytes, over the 536870912/,
    );
    refusal(
      () => loadData({ m: { file: 'missing.csv' } }, dir),
      /^data\.m: cannot read .*missing\.csv: ENOENT/,
    );
    assert.deepEqual(loadData({ u: { file: 'users.csv' } }, dir), { u: [{ name: 'ann' }] });
  });

  it('Artillery payloads: the same refusals', () => {
    refusal(() => loadPayload('/dev/zero'), /^payload: \/dev\/zero is a character device/);
    refusal(() => loadPayload(join(dir, 'pipe')), /^payload: .*pipe is a FIFO/);
    refusal(() => loadPayload(join(dir, 'folder')), /folder is a directory/);
    refusal(() => loadPayload(join(dir, 'big.csv')), /big\.csv is 536870913 bytes/);
    assert.deepEqual(loadPayload(join(dir, 'users.csv')).rows, [['name'], ['ann']]);
  });

  it('Artillery scripts and processors: the same refusals', async () => {
    refusal(() => readYamlScript(join(dir, 'pipe')), /^script: .*pipe is a FIFO/);
    refusal(() => readYamlScript(join(dir, 'big.csv')), /big\.csv is 536870913 bytes/);
    await assert.rejects(loadProcessor('/dev/zero'), (e: unknown) => {
      assert.ok(e instanceof PlanLoadError);
      assert.match(e.message, /^processor: \/dev\/zero is a character device/);
      return true;
    });
  });

  it('loadproof run of an Artillery script whose payload is a FIFO: exit 2, the FIFO named', async () => {
    const cwd = outsideDir();
    execFileSync('mkfifo', [join(cwd, 'rows.csv')]);
    const script = join(cwd, 'script.yml');
    writeFileSync(
      script,
      `config:
  target: "http://127.0.0.1:9"
  payload:
    path: "rows.csv"
    fields: ["name"]
  phases:
    - duration: 1
      arrivalCount: 1
scenarios:
  - flow:
      - get:
          url: "/{{ name }}"
`,
    );
    const r = await runCli(['run', script, '--out', join(cwd, 'out')], { cwd, timeoutMs: 60_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /payload: .*rows\.csv is a FIFO, not a regular file/);
  });

  it('the cap is a parameter of the reader', () => {
    refusal(() => readInputFile(join(dir, 'users.csv'), 'x', 4), /^x: .*users\.csv is 9 bytes, over the 4/);
    assert.equal(readInputFile(join(dir, 'users.csv'), 'x').toString(), 'name\nann\n');
  });
});
