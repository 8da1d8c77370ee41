/**
 * `loadproof compare <baseline> <candidate>`: the table of changes on stdout (benchstat's
 * columns), warnings on stderr, optionally the same table in Markdown. Exit 3 only for a
 * significant regression beyond its tolerance, 0 otherwise, 2 for a bad file or flag.
 */
import { writeFileSync } from 'node:fs';
import { EXIT, UsageError } from '../errors.ts';
import {
  type CompareOptions,
  compareResults,
  compareWarnings,
  renderCompareMarkdown,
  renderCompareTable,
} from '../report/compare.ts';
import { readResultsFile } from '../report/read.ts';

export interface CompareFlags {
  latency: string;
  /** The older name of --latency. */
  p95?: string;
  errorRate: string;
  rps: string;
  alpha: string;
  minSamples: string;
  markdown?: string;
}

function nonNegative(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`${flag}: expected a non-negative number, got "${value}"`);
  return n;
}

export function compareOptionsOf(flags: CompareFlags): CompareOptions {
  const alpha = Number(flags.alpha);
  if (!(alpha > 0 && alpha < 1))
    throw new UsageError(`--alpha: expected a number between 0 and 1, got "${flags.alpha}"`);
  const minSamples = Number(flags.minSamples);
  if (!Number.isInteger(minSamples) || minSamples < 2)
    throw new UsageError(
      `--min-samples: expected a whole number of seconds, at least 2, got "${flags.minSamples}"`,
    );
  return {
    tolerances: {
      latencyPct:
        flags.p95 !== undefined ? nonNegative('--p95', flags.p95) : nonNegative('--latency', flags.latency),
      errorRatePts: nonNegative('--error-rate', flags.errorRate),
      rpsPct: nonNegative('--rps', flags.rps),
    },
    alpha,
    minSamples,
  };
}

export function compareCommand(baseline: string, candidate: string, flags: CompareFlags): number {
  const options = compareOptionsOf(flags);
  const [base, cand] = [readResultsFile(baseline), readResultsFile(candidate)];
  const warnings = compareWarnings(base, cand);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const rows = compareResults(base, cand, options);
  process.stdout.write(renderCompareTable(rows, options));
  if (flags.markdown) writeFileSync(flags.markdown, renderCompareMarkdown(rows, warnings, options));
  return rows.some((r) => r.regression) ? EXIT.noGo : EXIT.go;
}
