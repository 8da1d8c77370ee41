/**
 * `npm run bench -- [group] [names...]`: benchmarks that print figures side by side.
 * Groups: generator (default), clinic, rehab, fuzz, soak, series, shards, k6. Figures from one run are comparable with each other only.
 */
import { runClinicBench } from './clinic.ts';
import { runFuzzBench } from './fuzz.ts';
import { runGeneratorBench } from './generator.ts';
import { runK6Bench } from './k6.ts';
import { runRehabBench } from './rehab.ts';
import { runSeriesBench } from './series.ts';
import { runShardsBench } from './shards.ts';
import { runSoakBench } from './soak.ts';

const [group = 'generator', ...rest] = process.argv.slice(2);
const groups: Record<string, (args: string[]) => Promise<void>> = {
  generator: runGeneratorBench,
  clinic: runClinicBench,
  rehab: runRehabBench,
  fuzz: runFuzzBench,
  soak: runSoakBench,
  series: runSeriesBench,
  shards: runShardsBench,
  k6: runK6Bench,
};
const run = groups[group];
if (!run) {
  console.error(`unknown bench group "${group}"; choose from ${Object.keys(groups).join(', ')}`);
  process.exit(2);
}
console.log(
  `# loadproof bench: ${group} (${new Date().toISOString()}, ${(await import('node:os')).cpus().length} cores)`,
);
await run(rest);
