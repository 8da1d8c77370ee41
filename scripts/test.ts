/**
 * `npm test`: every test file under test/, each in a process of its own.
 *
 * Files run in parallel by default; the files under test/serial/ (those that must not share the
 * machine) run afterwards, one at a time. One PostgreSQL serves the whole run: it is started
 * here, named to every file in LOADPROOF_TEST_POSTGRES_URL (test/helpers/postgres.ts gives each
 * file a database of its own) and stopped at the end, on failure and on Ctrl-C too.
 *
 * A passing file prints one line; a failing one prints its whole output. The end of the run
 * prints node's totals (`# tests N`, `# pass`, `# fail`...) summed over the files, and the ten
 * slowest files. Files start slowest first, by the times of the last run (kept in
 * .loadproof/test-times.json).
 *
 *   npm test                          every file
 *   npm test -- test/plan test/cli    the files under these paths (files or folders)
 *
 * LOADPROOF_TEST_CONCURRENCY sets how many files run at once in the parallel part (default: twice
 * the cores, from 2 to 8: a test file spends much of its time waiting on the processes and servers
 * it started); LOADPROOF_TEST_VERBOSE=1 prints every file's output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, sep } from 'node:path';
import { type PostgresHandle, startPostgres } from '../services/shared/postgres.ts';
import { TEST_POSTGRES_URL } from '../test/helpers/postgres.ts';

const TEST_DIR = 'test';
const SERIAL_DIR = join(TEST_DIR, 'serial');
const TIMES_FILE = join('.loadproof', 'test-times.json');
/** A file still running after this long is stopped and counted as failed (a hang, not a slow test). */
const FILE_TIMEOUT_MS = 10 * 60_000;
const SLOWEST_SHOWN = 10;
const COUNTERS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'] as const;
type Counter = (typeof COUNTERS)[number];

interface FileResult {
  file: string;
  ok: boolean;
  wallMs: number;
  counts: Record<Counter, number>;
}

function findTestFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path)
    .sort()
    .flatMap((name) => findTestFiles(join(path, name)));
}

function readTimes(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(TIMES_FILE, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

function writeTimes(results: FileResult[]): void {
  const times = readTimes();
  for (const r of results) times[r.file] = Math.round(r.wallMs);
  mkdirSync('.loadproof', { recursive: true });
  writeFileSync(TIMES_FILE, `${JSON.stringify(times, null, 2)}\n`);
}

function parseCounts(output: string): Record<Counter, number> | undefined {
  const counts = {} as Record<Counter, number>;
  for (const name of COUNTERS) {
    const match = new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output);
    if (!match) return undefined;
    counts[name] = Number(match[1]);
  }
  return counts;
}

const running = new Set<ChildProcess>();

function runFile(file: string, env: NodeJS.ProcessEnv): Promise<FileResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test-reporter=tap', file], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: a timeout or Ctrl-C stops what it spawned too
    });
    running.add(child);
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => {
      output += `\n# scripts/test.ts: stopped after ${FILE_TIMEOUT_MS / 1000} s\n`;
      stopGroup(child, 'SIGKILL');
    }, FILE_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      const wallMs = performance.now() - started;
      const counts = parseCounts(output);
      const ok = code === 0 && counts !== undefined && counts.fail === 0;
      const zero = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
      const seconds = `${(wallMs / 1000).toFixed(1)} s`.padStart(8);
      if (ok && process.env.LOADPROOF_TEST_VERBOSE !== '1') {
        console.log(`ok   ${seconds} ${String(counts.tests).padStart(4)} tests  ${file}`);
      } else {
        process.stdout.write(`\n${'='.repeat(20)} ${file}\n${output}\n`);
        const how = signal ? `signal ${signal}` : `exit ${code}`;
        console.log(
          `${ok ? 'ok  ' : 'FAIL'} ${seconds} ${String(counts?.tests ?? '?').padStart(4)} tests  ${file} (${how})`,
        );
      }
      resolve({ file, ok, wallMs, counts: counts ?? { ...zero, fail: 1 } });
    });
  });
}

function stopGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Runs the files, at most `concurrency` at a time, in the order given. */
async function runPool(files: string[], concurrency: number, env: NodeJS.ProcessEnv): Promise<FileResult[]> {
  const results: FileResult[] = [];
  const queue = [...files];
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      results.push(await runFile(file, env));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return results;
}

function printSummary(results: FileResult[], wallMs: number): void {
  console.log('');
  for (const name of COUNTERS) {
    console.log(`# ${name} ${results.reduce((sum, r) => sum + r.counts[name], 0)}`);
  }
  console.log(`# files ${results.length}`);
  console.log(`# duration_ms ${Math.round(wallMs)}`);
  console.log(`\nslowest ${SLOWEST_SHOWN} files:`);
  for (const r of [...results].sort((a, b) => b.wallMs - a.wallMs).slice(0, SLOWEST_SHOWN)) {
    console.log(`${(r.wallMs / 1000).toFixed(1).padStart(7)} s  ${r.file}`);
  }
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) console.log(`\nfailed files:\n${failed.map((r) => `  ${r.file}`).join('\n')}`);
}

async function main(): Promise<number> {
  const paths = process.argv.slice(2);
  const files = (paths.length > 0 ? paths : [TEST_DIR]).flatMap((p) => {
    if (!existsSync(p)) throw new Error(`scripts/test.ts: no such test file or folder: ${p}`);
    return findTestFiles(relative('.', p));
  });
  const isSerial = (f: string) => f.startsWith(SERIAL_DIR + sep);
  const times = readTimes();
  const slowestFirst = (a: string, b: string) => (times[b] ?? 0) - (times[a] ?? 0);
  const parallel = files.filter((f) => !isSerial(f)).sort(slowestFirst);
  const serial = files.filter(isSerial);
  const concurrency =
    Number(process.env.LOADPROOF_TEST_CONCURRENCY) || Math.min(8, Math.max(2, 2 * availableParallelism()));

  const started = performance.now();
  let postgres: PostgresHandle | undefined;
  const env = { ...process.env };
  if (!env[TEST_POSTGRES_URL]) {
    postgres = await startPostgres({ forceEmbedded: true });
    env[TEST_POSTGRES_URL] = postgres.url;
  }
  const stopAll = async (signal: NodeJS.Signals) => {
    for (const child of running) stopGroup(child, 'SIGKILL');
    await postgres?.stop({ endSessions: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  try {
    console.log(
      `# ${parallel.length} files in parallel (${concurrency} at a time), then ${serial.length} in ${SERIAL_DIR}/ one at a time`,
    );
    const results = await runPool(parallel, concurrency, env);
    results.push(...(await runPool(serial, 1, env)));
    writeTimes(results);
    printSummary(results, performance.now() - started);
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    await postgres?.stop({ endSessions: true });
  }
}

process.exitCode = await main();
