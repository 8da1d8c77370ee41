/**
 * Runs one mutant through the real CLI (`loadproof run ... --duration 1s`) in a child process,
 * with the loopback-only guard preloaded into it and its worker threads, killed if it outlives
 * `timeoutMs`. The verdict on it: exit 0, 2 or 3, a message when refused, no stack trace or
 * Node.js warning, no connection attempted off the loopback.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { STACK_FRAME } from './classify.ts';

export const GUARD = new URL('./loopback-only.cjs', import.meta.url).pathname;

export interface CliOutcome {
  code: number | null;
  ms: number;
  /** Empty when the run behaved; else what went wrong. */
  problems: string[];
  stderr: string;
}

export async function runMutant(
  file: string,
  target: string,
  outRoot: string,
  timeoutMs: number,
): Promise<CliOutcome> {
  const out = mkdtempSync(join(outRoot, 'run-'));
  const start = performance.now();
  const r = await runCli(['run', file, '--duration', '1s', '--workers', '1', '--quiet', '--out', out], {
    cwd: outRoot,
    timeoutMs,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? outRoot,
      TARGET: target,
      NODE_OPTIONS: `--require ${GUARD}`,
    },
  });
  const ms = Math.round(performance.now() - start);
  const problems: string[] = [];
  if (r.code === null) problems.push(`killed after ${timeoutMs} ms (a hang)`);
  else if (![0, 2, 3].includes(r.code)) problems.push(`exit ${r.code}`);
  if (r.code === 2 && !/loadproof: \S/.test(r.stderr)) problems.push('exit 2 without a message');
  if (STACK_FRAME.test(r.stderr)) problems.push('a stack trace on stderr');
  if (/\(node:\d+\) \w*Warning/.test(r.stderr)) problems.push('a Node.js warning on stderr');
  if (r.stderr.includes('LOOPBACK-ONLY')) problems.push('a connection off the loopback');
  return { code: r.code, ms, problems, stderr: r.stderr };
}
