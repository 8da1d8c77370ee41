// Runs every test file alone, one after another, and prints its wall time, CPU time (user+system
// of the child and its children) and the number of tests it ran, slowest first. Used to decide
// which files run in parallel and which in test/serial/ (see DEVELOPERS.md, "How tests run").
//   node --import tsx scripts/time-test-files.ts [file ...]   (default: every test/**/*.test.ts)
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTestFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTestFiles(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found.sort();
}

interface FileTiming {
  file: string;
  wallSeconds: number;
  cpuSeconds: number;
  tests: number;
  exitCode: number | null;
}

function timeFile(file: string): Promise<FileTiming> {
  const started = performance.now();
  return new Promise((resolve) => {
    // /usr/bin/time -f reports the CPU of the process tree once it has been waited for.
    const child = spawn(
      '/usr/bin/time',
      ['-f', 'CPU %U %S', process.execPath, '--import', 'tsx', '--test', file],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.on('close', (exitCode) => {
      const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(err);
      resolve({
        file,
        wallSeconds: (performance.now() - started) / 1000,
        cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : Number.NaN,
        tests: Number(/^# tests (\d+)/m.exec(out)?.[1] ?? 0),
        exitCode,
      });
    });
  });
}

const files = process.argv.length > 2 ? process.argv.slice(2) : findTestFiles('test');
const timings: FileTiming[] = [];
for (const file of files) {
  const timing = await timeFile(file);
  timings.push(timing);
  console.log(
    `${timing.wallSeconds.toFixed(1).padStart(7)} s wall ${timing.cpuSeconds.toFixed(1).padStart(7)} s cpu ${String(timing.tests).padStart(4)} tests ${timing.exitCode === 0 ? 'ok  ' : 'FAIL'} ${file}`,
  );
}
timings.sort((a, b) => b.wallSeconds - a.wallSeconds);
console.log('\nslowest first:');
for (const t of timings) {
  console.log(
    `${t.wallSeconds.toFixed(1).padStart(7)} s wall ${t.cpuSeconds.toFixed(1).padStart(7)} s cpu ${String(t.tests).padStart(4)} tests ${t.file}`,
  );
}
const sum = (pick: (t: FileTiming) => number) => timings.reduce((total, t) => total + pick(t), 0);
console.log(
  `\ntotal ${sum((t) => t.wallSeconds).toFixed(1)} s wall, ${sum((t) => t.cpuSeconds).toFixed(1)} s cpu, ${sum((t) => t.tests)} tests, ${timings.filter((t) => t.exitCode !== 0).length} files failed`,
);
