/**
 * Artillery loops, found while building the fuzzer (test/fuzz): a loop whose steps never wait
 * must not keep the process deaf to timers and signals, and a templated count that renders
 * negative is no loop, not an endless one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { BIN, runCli } from '../../helpers/cli.ts';
import { type RecordingServer, startRecordingServer } from './server.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());
beforeEach(() => server.reset());

function script(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'loadproof-loop-'));
  const file = join(dir, 'script.yml');
  writeFileSync(file, [`config:`, `  target: "${server.url}"`, ...lines, ''].join('\n'));
  return file;
}

describe('artillery loops', () => {
  it('a loop of steps that never wait still hears SIGINT at once, and a second one quits', async () => {
    const file = script([
      '  phases: [{ duration: 1, arrivalCount: 1 }]',
      'scenarios:',
      '  - flow:',
      '      - get: { url: "/users/started" }',
      '      - loop:',
      '          - get: { url: "/never", ifTrue: "1 > 2" }',
      '        count: 1000000000',
    ]);
    const child = spawn(process.execPath, [BIN, 'run', file, '--quiet', '--out', join(file, '..', 'out')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let signalledAt = 0;
    let heardAfterMs = -1;
    child.stderr.on('data', (d: Buffer) => {
      if (heardAfterMs < 0 && String(d).includes('stopping')) {
        heardAfterMs = performance.now() - signalledAt;
        child.kill('SIGINT');
      }
    });
    // Once the user has sent its first request, it is in the loop.
    const started = setInterval(() => {
      if (server.count('GET', '/users/started') === 0) return;
      clearInterval(started);
      signalledAt = performance.now();
      child.kill('SIGINT');
    }, 50);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(kill);
    clearInterval(started);
    assert.ok(heardAfterMs >= 0, 'the first SIGINT was heard before the run was killed');
    assert.ok(heardAfterMs < 2000, `heard ${Math.round(heardAfterMs)} ms after the signal`);
    assert.equal(code, 3, 'a second SIGINT quits at once, with what was collected (interrupted: NO-GO)');
    assert.equal(server.count('GET', '/never'), 0);
  });

  it('a templated count that renders negative runs the loop no times', async () => {
    const file = script([
      '  phases: [{ duration: 1, arrivalCount: 2 }]',
      '  variables: { n: -1 }',
      'scenarios:',
      '  - flow:',
      '      - loop:',
      '          - get: { url: "/users/{{ $loopCount }}" }',
      '        count: "{{ n }}"',
      '      - get: { url: "/users/after" }',
    ]);
    const r = await runCli(['run', file, '--quiet', '--out', join(file, '..', 'out')], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(server.paths(), { 'GET /users/after': 2 });
  });
});
