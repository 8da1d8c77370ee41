/**
 * Benchmark targets, each in its own process: bench/server.mjs (Node), and for the accuracy
 * figure bench/fixed-delay-server.c, compiled here with the system's cc.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Target {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts `command args...`, which prints its port on its first line, and returns its URL. */
function startPrintingPort(command: string, args: string[]): Promise<Target> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`${command} exited with ${code} before printing its port`)),
    );
    child.stdout?.once('data', (d) => {
      const port = Number(String(d).trim());
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        stop: () =>
          new Promise((res) => {
            child.once('exit', () => res());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** bench/server.mjs with `kind` (plain, fixed:MS, stall:MS:PERIOD). */
export function startTarget(kind: string): Promise<Target> {
  return startPrintingPort(process.execPath, [new URL('./server.mjs', import.meta.url).pathname, kind]);
}

/**
 * bench/fixed-delay-server.c: answers exactly `delayMs` after each request (timerfd), where a
 * Node server's timers fire up to a millisecond or more late. Compiles it (once per version of
 * the source); `start` then runs it. `{ unavailable }`, with the reason, when it cannot be
 * compiled (no `cc` on PATH).
 */
export function preciseFixedTarget(delayMs: number): { start(): Promise<Target> } | { unavailable: string } {
  const source = new URL('./fixed-delay-server.c', import.meta.url).pathname;
  const dir = join(tmpdir(), 'loadproof-bench');
  mkdirSync(dir, { recursive: true });
  const binary = join(dir, `fixed-delay-server-${Math.floor(statSync(source).mtimeMs)}`);
  try {
    statSync(binary);
  } catch {
    try {
      execFileSync('cc', ['-O2', '-o', binary, source], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      return { unavailable: `cannot compile ${source} with cc: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  return { start: () => startPrintingPort(binary, [String(delayMs)]) };
}
