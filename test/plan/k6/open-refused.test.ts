/**
 * k6's `open()` reads a whole file into memory, so it reads only a regular file of at most
 * 512 MiB: `/dev/zero`, a FIFO, a directory and a huge file are refused by path and reason, and
 * `loadproof run` exits 2 before any load.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { outsideDir, runCli } from '../../helpers/cli.ts';

/** A k6 script whose init code opens `path`; its one request would go nowhere. */
function scriptOpening(dir: string, path: string, mode = ''): string {
  const file = join(dir, 'script.js');
  writeFileSync(
    file,
    `import http from 'k6/http';
const data = open(${JSON.stringify(path)}${mode ? `, '${mode}'` : ''});
export const options = { vus: 1, iterations: 1 };
export default function () { http.get('http://127.0.0.1:9/' + data.length); }
`,
  );
  return file;
}

async function refused(path: string, dir: string, mode = ''): Promise<string> {
  const r = await runCli(['run', scriptOpening(dir, path, mode), '--out', join(dir, 'out')], {
    cwd: dir,
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 2, `exit 2 for open(${path}): ${r.stderr}`);
  return r.stderr;
}

describe('k6 open() of what is not a file it can hold', () => {
  it('/dev/zero: a character device, refused', async () => {
    const dir = outsideDir();
    assert.match(
      await refused('/dev/zero', dir),
      /open\(\): \/dev\/zero is a character device, not a regular file/,
    );
    assert.match(await refused('/dev/zero', dir, 'b'), /\/dev\/zero is a character device/);
  });

  it('a FIFO: refused without waiting for a writer', async () => {
    const dir = outsideDir();
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    assert.match(await refused('./pipe', dir), new RegExp(`open\\(\\): ${join(dir, 'pipe')} is a FIFO`));
  });

  it('a directory: refused', async () => {
    const dir = outsideDir();
    mkdirSync(join(dir, 'folder'));
    assert.match(await refused('folder', dir), new RegExp(`${join(dir, 'folder')} is a directory`));
  });

  it('a file over 512 MiB: refused by its size (a sparse file, no disk used)', async () => {
    const dir = outsideDir();
    const big = join(dir, 'big.bin');
    writeFileSync(big, '');
    truncateSync(big, 512 * 1024 * 1024 + 1);
    assert.match(await refused('./big.bin', dir), /big\.bin is 536870913 bytes, over the 536870912/);
  });

  it('a regular file is still read', async () => {
    const dir = outsideDir();
    writeFileSync(join(dir, 'ok.txt'), 'hello');
    const r = await runCli(['run', scriptOpening(dir, './ok.txt'), '--out', join(dir, 'out')], {
      cwd: dir,
      timeoutMs: 60_000,
    });
    assert.notEqual(r.code, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /open\(\)/);
  });
});
