/**
 * The commands the docs show work: every fenced block marked ```sh runnable (DEVELOPERS.md, "Docs
 * that stay true") runs in bash, page by page in order, each page's blocks in one temporary
 * folder that is a project with loadproof installed (so `npx loadproof` and `import 'loadproof'`
 * work as they do for a user) and holds docs/examples/. TARGET is a loopback server started here;
 * a preloaded guard refuses any connection off the loopback; each block is killed after 180 s.
 * A block must exit 0, or the code its info string names (`sh runnable exit=3`).
 *
 * Blocks whose info string names a file (```ts file=docs/examples/first-plan.ts) must hold that
 * file's text, so that a page shows the plan that runs.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GUARD } from '../fuzz/run-mutant.ts';
import { type FencedBlock, REPO, readerPages, splitFences } from './markdown.ts';

/** A bound, not a measurement: a block takes seconds; a machine busy with other work may take more. */
const BLOCK_TIMEOUT_MS = 180_000;

interface Runnable {
  block: FencedBlock;
  exit: number;
}

function runnableBlocks(blocks: FencedBlock[]): Runnable[] {
  return blocks
    .filter((b) => /^(sh|bash)\s+runnable\b/.test(b.info))
    .map((block) => ({ block, exit: Number(/\bexit=(\d+)\b/.exec(block.info)?.[1] ?? 0) }));
}

/** A folder that is a user's project with loadproof installed, and the docs' examples beside. */
function projectFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loadproof-docs-'));
  writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(REPO, join(dir, 'node_modules', 'loadproof'), 'dir');
  symlinkSync(join(REPO, 'bin', 'loadproof.js'), join(dir, 'node_modules', '.bin', 'loadproof'));
  mkdirSync(join(dir, 'docs'));
  symlinkSync(join(REPO, 'docs', 'examples'), join(dir, 'docs', 'examples'), 'dir');
  return dir;
}

/** Answers every path with 200 and a JSON body, `/status/NNN` with NNN; counts what it got. */
function startTarget(): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const status = /^\/status\/(\d{3})$/.exec(req.url ?? '');
    res.statusCode = status ? Number(status[1]) : 200;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ items: [{ id: 1 }] }));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests: () => requests,
      }),
    ),
  );
}

function runBlock(
  text: string,
  cwd: string,
  target: string,
): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', '-c', text], {
      cwd,
      detached: true,
      env: {
        ...process.env,
        TARGET: target,
        PATH: `${join(cwd, 'node_modules', '.bin')}:${process.env.PATH}`,
        NODE_OPTIONS: `--require ${GUARD}`,
        NO_COLOR: '1',
        npm_config_offline: 'true',
        npm_config_update_notifier: 'false',
        npm_config_fund: 'false',
        npm_config_audit: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, BLOCK_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

const pages = readerPages().map((page) => ({ page, blocks: splitFences(page).blocks }));

describe('runnable blocks in the docs', () => {
  let target: Awaited<ReturnType<typeof startTarget>>;
  const folders: string[] = [];
  before(async () => {
    target = await startTarget();
  });
  after(() => {
    target.server.close();
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });

  it('there are runnable blocks, on the README and on the task pages', () => {
    const count = (path: string) =>
      runnableBlocks(pages.find((p) => p.page.path === path)?.blocks ?? []).length;
    assert.ok(count('README.md') >= 1, 'the README runs its first plan');
    for (const path of [
      'docs/running.md',
      'docs/k6-scripts.md',
      'docs/artillery.md',
      'docs/many-machines.md',
      'docs/reports-and-outputs.md',
      'docs/errors-and-exit-codes.md',
    ])
      assert.ok(count(path) >= 1, `${path} has no runnable block`);
  });

  it('the runner sees a failing command, and a connection off the loopback is refused', async () => {
    const cwd = projectFolder();
    folders.push(cwd);
    const failing = await runBlock('false\necho not reached', cwd, target.url);
    assert.equal(failing.code, 1);
    assert.doesNotMatch(failing.output, /not reached/, 'bash -e stops at the first failing command');
    const offLoopback = await runBlock(
      `node -e "require('node:net').connect(9, '192.0.2.1').on('error', (e) => { console.log(e.code); })"`,
      cwd,
      target.url,
    );
    assert.match(offLoopback.output, /LOOPBACK-ONLY: refused/);
    assert.match(offLoopback.output, /ENOTLOOPBACK/);
    const installed = await runBlock(
      'test -x node_modules/.bin/loadproof && test -d docs/examples',
      cwd,
      target.url,
    );
    assert.equal(installed.code, 0, installed.output);
  });

  it('a block that names a file shows that file exactly', () => {
    const shown = pages.flatMap((p) => p.blocks.filter((b) => /\bfile=\S+/.test(b.info)));
    assert.ok(shown.length >= 1, 'the README shows the first plan from docs/examples/');
    for (const block of shown) {
      const file = /\bfile=(\S+)/.exec(block.info)?.[1] as string;
      assert.equal(
        `${block.text}\n`,
        readFileSync(join(REPO, file), 'utf8'),
        `${block.page}:${block.line} differs from ${file}`,
      );
    }
  });

  for (const { page, blocks } of pages) {
    const runnable = runnableBlocks(blocks);
    if (runnable.length === 0) continue;
    describe(page.path, () => {
      let cwd: string;
      before(() => {
        cwd = projectFolder();
        folders.push(cwd);
      });
      for (const { block, exit } of runnable) {
        it(`line ${block.line} exits ${exit}`, async () => {
          const before = target.requests();
          const run = await runBlock(block.text, cwd, target.url);
          const where = `${block.page}:${block.line}\n${block.text}\n--- output:\n${run.output}`;
          assert.equal(run.timedOut, false, `still running after ${BLOCK_TIMEOUT_MS} ms: ${where}`);
          assert.equal(run.code, exit, where);
          assert.doesNotMatch(run.output, /LOOPBACK-ONLY: refused/, where);
          if (/loadproof run/.test(block.text) && exit !== 2)
            assert.ok(target.requests() > before, `a run that sent nothing to the loopback target: ${where}`);
        });
      }
    });
  }
});
