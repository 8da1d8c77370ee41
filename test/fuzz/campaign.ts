/**
 * One fuzz campaign: `count` mutants loaded in this process (each a plan or a refusal, see
 * classify.ts), then `cliCount` of them run through the real CLI against a loopback server. The
 * test runs a small campaign with a fixed seed; `npm run bench -- fuzz` a larger one.
 */
import { readFileSync } from 'node:fs';
import type { Overrides } from '../../src/plan/overrides.ts';
import { plannedDurationMs } from '../../src/run/planned-time.ts';
import { classify, type Outcome } from './classify.ts';
import { type Mutant, makeCorpus } from './corpus.ts';
import { Random } from './random.ts';
import { type CliOutcome, runMutant } from './run-mutant.ts';

/** CLI shortcuts some mutants are loaded with: sane ones, and ones past every bound. */
const OVERRIDES: Overrides[] = [
  { durationMs: 1000 },
  { rate: 10 },
  { vus: 3 },
  { rate: 1e12 },
  { vus: 1e12 },
  { durationMs: 3.6e26 },
  { rate: Number.NaN },
  { rate: 5, vus: 2, durationMs: 500 },
];

/** The longest a sampled plan may be planned to last with --duration 1s: the runs stay short. */
const MAX_PLANNED_MS = 5000;

export interface Loaded {
  mutant: Mutant;
  overrides: Overrides;
  outcome: Outcome;
}

export interface CliRun {
  mutant: Mutant;
  expected: Outcome['kind'];
  outcome: CliOutcome;
}

export interface Campaign {
  loaded: Loaded[];
  cli: CliRun[];
  /** Mutants not run through the CLI: no tree to set the loopback target in, too long, or a URL off the loopback. */
  skipped: number;
}

/** A mutant's text may name no host but the loopback (the guard stops the rest at run time). */
function onlyLoopback(file: string): boolean {
  return !readFileSync(file, 'utf8').replaceAll('http://127.0.0.1', '').includes('//');
}

export async function runCampaign(options: {
  dir: string;
  count: number;
  cliCount: number;
  seed: number;
  target: string;
  cliTimeoutMs: number;
}): Promise<Campaign> {
  const corpus = makeCorpus(options.dir, options.count, options.seed);
  const env = { TARGET: options.target };
  const loaded: Loaded[] = [];
  for (const mutant of corpus.mutants) {
    const r = new Random(options.seed + mutant.id);
    const overrides = r.chance(0.2) ? r.pick(OVERRIDES) : {};
    loaded.push({ mutant, overrides, outcome: await classify(mutant.file, env, overrides) });
  }

  // Half the sample from mutants that load as plans (they really run), half from refused ones.
  const pick = new Random(options.seed);
  const plans = loaded.filter((l) => l.outcome.kind === 'plan');
  const refused = loaded.filter((l) => l.outcome.kind === 'refused');
  const cli: CliRun[] = [];
  let skipped = 0;
  for (let i = 0; cli.length < options.cliCount && i < options.cliCount * 20; i++) {
    const from = cli.length % 2 === 0 && plans.length ? plans : refused;
    if (!from.length) break;
    const { mutant } = pick.pick(from);
    if (cli.some((c) => c.mutant.id === mutant.id)) continue;
    const file = corpus.withTarget(mutant, options.target);
    if (!file || !onlyLoopback(file)) {
      skipped++;
      continue;
    }
    const again = await classify(file, env, { durationMs: 1000 });
    if (again.kind === 'plan' && plannedDurationMs(again.plan) > MAX_PLANNED_MS) {
      skipped++;
      continue;
    }
    const outcome = await runMutant(file, options.target, options.dir, options.cliTimeoutMs);
    cli.push({ mutant, expected: again.kind, outcome });
  }
  return { loaded, cli, skipped };
}
