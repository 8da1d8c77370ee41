/** Runs the loadproof CLI as a separate process, as a user would. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsFile } from '../../src/results/types.ts';

export const BIN = new URL('../../bin/loadproof.js', import.meta.url).pathname;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signalAfterMs?: number;
  /** Sends the signal once this says so (polled every 50 ms): a signal tied to progress, not to time. */
  signalWhen?: () => boolean;
  /** The signal `signalAfterMs` and `signalWhen` send; SIGINT by default. */
  signal?: NodeJS.Signals;
  timeoutMs?: number;
}

export function runCli(args: string[], opts: RunOptions = {}): Promise<CliRun> {
  return runProcess(process.execPath, [BIN, ...args], opts);
}

/** Runs a command to its end without blocking this event loop (a server in this process keeps answering). */
export function runProcess(command: string, args: string[], opts: RunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      ...(opts.env ? { env: opts.env } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const kill = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    if (opts.signalAfterMs !== undefined)
      setTimeout(() => child.kill(opts.signal ?? 'SIGINT'), opts.signalAfterMs);
    const poll = opts.signalWhen
      ? setInterval(() => {
          if (!opts.signalWhen?.()) return;
          clearInterval(poll);
          child.kill(opts.signal ?? 'SIGINT');
        }, 50)
      : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(kill);
      clearInterval(poll);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A folder outside the repository, where loadproof is not installed. */
export function outsideDir(): string {
  return mkdtempSync(join(tmpdir(), 'loadproof-test-'));
}

export function writePlan(dir: string, name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

export function readResults(dir: string): ResultsFile {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultsFile;
}

/**
 * Whether `dir/results.json` holds a run's results: from its start to its end a run keeps the
 * unfinished-run marker there (no verdict), so the file's existence alone says nothing.
 */
export function hasResults(dir: string): boolean {
  const path = join(dir, 'results.json');
  if (!existsSync(path)) return false;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { verdict?: unknown }).verdict !== undefined;
  } catch {
    return false;
  }
}
