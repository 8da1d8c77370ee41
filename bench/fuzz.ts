/**
 * `npm run bench -- fuzz [mutants] [cli-runs] [seed]`: a larger fuzz campaign than the test's
 * (test/fuzz): mutants of the repository's plans and Artillery scripts loaded in this process,
 * then a sample run through the CLI against a loopback server (a guard refuses any other
 * connection). Prints outcomes by format and mutation, CLI exit codes and times, and every
 * mutant that crashed, hung or printed a stack trace. Exit 1 when there is one.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCampaign } from '../test/fuzz/campaign.ts';
import { startRecordingServer } from '../test/plan/artillery/server.ts';
import { printTable } from './table.ts';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function runFuzzBench(args: string[]): Promise<void> {
  const [count = 5000, cliCount = 40, seed = Date.now() % 100_000] = args.map(Number);
  const server = await startRecordingServer();
  const dir = mkdtempSync(join(tmpdir(), 'loadproof-fuzz-bench-'));
  console.log(`seed ${seed}, ${count} mutants, ${cliCount} through the CLI, files in ${dir}\n`);
  const start = performance.now();
  try {
    const c = await runCampaign({ dir, count, cliCount, seed, target: server.url, cliTimeoutMs: 180_000 });
    const seconds = ((performance.now() - start) / 1000).toFixed(0);

    const groups = new Map<string, { plan: number; refused: number; bug: number; ms: number[] }>();
    for (const l of c.loaded) {
      const key = `${l.mutant.kind} ${l.mutant.how}`;
      const g = groups.get(key) ?? { plan: 0, refused: 0, bug: 0, ms: [] };
      g[l.outcome.kind]++;
      g.ms.push(l.outcome.ms);
      groups.set(key, g);
    }
    console.log('loaded in this process (loadPlanFile, data files, CLI shortcuts)');
    printTable(
      ['format / mutation', 'mutants', 'plan', 'refused (exit 2)', 'bug', 'p50 ms', 'max ms'],
      [...groups]
        .sort()
        .map(([k, g]) => [
          k,
          String(g.ms.length),
          String(g.plan),
          String(g.refused),
          String(g.bug),
          String(percentile(g.ms, 50)),
          String(Math.max(...g.ms)),
        ]),
    );

    const byCode = new Map<string, number[]>();
    for (const r of c.cli) {
      const k = r.outcome.code === null ? 'killed (hang)' : `exit ${r.outcome.code}`;
      byCode.set(k, [...(byCode.get(k) ?? []), r.outcome.ms]);
    }
    console.log(
      `\nthrough the CLI (--duration 1s; ${c.skipped} sampled mutants skipped: too long or not loopback-only)`,
    );
    printTable(
      ['outcome', 'runs', 'p50 s', 'max s'],
      [...byCode]
        .sort()
        .map(([k, ms]) => [
          k,
          String(ms.length),
          (percentile(ms, 50) / 1000).toFixed(1),
          (Math.max(...ms) / 1000).toFixed(1),
        ]),
    );

    const bugs = [
      ...c.loaded.flatMap((l) => (l.outcome.kind === 'bug' ? [`${l.mutant.file}: ${l.outcome.error}`] : [])),
      ...c.cli.flatMap((r) =>
        r.outcome.problems.length
          ? [`${r.mutant.file}: ${r.outcome.problems.join(', ')}\n${r.outcome.stderr}`]
          : [],
      ),
    ];
    console.log(`\n${bugs.length} problem${bugs.length === 1 ? '' : 's'} found in ${seconds} s`);
    for (const b of bugs) console.log(`\n${b.split('\n').slice(0, 12).join('\n')}`);
    if (bugs.length) process.exitCode = 1;
  } finally {
    await server.close();
  }
}
