/** Runs a k6 fixture through the CLI against a recording loopback server, for the k6 tests. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsFile } from '../../../src/results/types.ts';
import { readResults, runCli } from '../../helpers/cli.ts';
import type { RecordingServer } from '../artillery/server.ts';

export const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;

export async function runK6(server: RecordingServer, script: string, args: string[] = []) {
  const out = mkdtempSync(join(tmpdir(), 'loadproof-k6-'));
  const r = await runCli([
    'run',
    join(FIXTURES, script),
    '--env',
    `TARGET=${server.url}`,
    '--out',
    out,
    ...args,
  ]);
  return { ...r, out, results: (): ResultsFile => readResults(out) };
}
