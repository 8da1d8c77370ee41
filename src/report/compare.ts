/**
 * Compares a candidate run with a baseline, for the whole run, per scenario and per endpoint, as
 * a statistician would: the samples are the runs' seconds (each second's p50, p95, p99, error
 * rate and requests), a change is reported only when a rank test finds it significant for the
 * samples there are (Mann-Whitney U, its p-value; `~` otherwise), and it is a regression only
 * when it is also beyond a tolerance. Too few seconds are not judged. Warns when the two runs
 * come from different plans or targets, or when either failed or loosened a run-validity
 * criterion. Pure functions.
 */
import { validityText } from '../outputs/validity-text.ts';
import type { ResultsFile } from '../results/types.ts';
import { escapeMarkdown } from './escape.ts';
import {
  COMPARED_METRICS,
  type ComparedMetric,
  endpointFigures,
  runFigures,
  type ScopeFigures,
  scenarioFigures,
} from './per-second-samples.ts';
import { mannWhitney, shiftEstimate } from './rank-test.ts';

export type { ComparedMetric };

export interface Tolerances {
  /** p50, p95 and p99 may grow by this many percent (default 10). */
  latencyPct: number;
  /** The error rate may grow by this many percentage points (default 0.5). */
  errorRatePts: number;
  /** Requests per second may drop by this many percent (default 10). */
  rpsPct: number;
}

export interface CompareOptions {
  tolerances: Tolerances;
  /** A change is significant when the rank test's p-value is below this (default 0.05). */
  alpha: number;
  /** Fewer whole seconds than this in either run: not judged (default 5). */
  minSamples: number;
}

export const DEFAULT_TOLERANCES: Tolerances = { latencyPct: 10, errorRatePts: 0.5, rpsPct: 10 };
export const DEFAULT_COMPARE_OPTIONS: CompareOptions = {
  tolerances: DEFAULT_TOLERANCES,
  alpha: 0.05,
  minSamples: 5,
};

export type Judgement =
  | 'regression'
  | 'within tolerance'
  | 'possibly beyond tolerance'
  | 'improvement'
  | 'no significant change'
  | 'not enough samples'
  | 'no per-second data';

export interface CompareRow {
  /** `(run)`, a scenario name, or `scenario / METHOD name` for an endpoint. */
  scope: string;
  metric: ComparedMetric;
  /** The median of each run's per-second values; the whole run's figure when there are none. */
  baseline: number;
  candidate: number;
  /** Whole seconds used from each run (0 when the scope has no per-second series). */
  baselineSamples: number;
  candidateSamples: number;
  /**
   * The candidate's shift against the baseline (Hodges-Lehmann: the median of every
   * candidate-minus-baseline difference of seconds): for latencies the ratio of the two, in
   * percent (+100: twice as slow); for rps the difference in percent of the baseline's median;
   * for the error rate the difference in points. With its confidence interval at 1 - alpha.
   * Absent when not judged.
   */
  change?: number;
  changeLow?: number;
  changeHigh?: number;
  /** Mann-Whitney U two-sided p-value. */
  p?: number;
  judgement: Judgement;
  /**
   * True only for a significant change in the bad direction whose whole confidence interval
   * lies beyond its tolerance.
   */
  regression: boolean;
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/**
 * Latencies change by a factor (a slower build makes every request slower in proportion), so
 * their shift is taken between logarithms and given as a ratio in percent; requests per second
 * can be 0 in a second, so theirs is a difference in percent of the baseline's median; the
 * error rate's is a difference in points.
 */
function changeOf(metric: ComparedMetric, base: number[], cand: number[], confidence: number) {
  const ratio = metric !== 'rps' && metric !== 'errors %' && [...base, ...cand].every((v) => v > 0);
  const shift = ratio
    ? shiftEstimate(base.map(Math.log), cand.map(Math.log), confidence)
    : shiftEstimate(base, cand, confidence);
  const baseMedian = median(base);
  const express = (d: number) => {
    if (ratio) return 100 * (Math.exp(d) - 1);
    if (metric === 'errors %') return d;
    if (baseMedian === 0) return d === 0 ? 0 : Math.sign(d) * Number.POSITIVE_INFINITY;
    return (100 * d) / baseMedian;
  };
  return {
    change: express(shift.estimate),
    ...(shift.low !== undefined ? { changeLow: express(shift.low) } : {}),
    ...(shift.high !== undefined ? { changeHigh: express(shift.high) } : {}),
  };
}

/** How much worse the change is than allowed (> 0: beyond the tolerance), by the metric's direction. */
function beyondTolerance(metric: ComparedMetric, change: number, t: Tolerances): number {
  if (metric === 'rps') return -change - t.rpsPct;
  if (metric === 'errors %') return change - t.errorRatePts;
  return change - t.latencyPct;
}

/**
 * Whether the candidate's seconds rank on the bad side of the baseline's (U above its middle:
 * the candidate's values tend to be higher). Read from the test, not the estimate, which can
 * be 0 for a significant change among many ties.
 */
function worse(metric: ComparedMetric, u: number, m: number, n: number): boolean {
  const higher = u > (m * n) / 2;
  return metric === 'rps' ? !higher : higher;
}

function judgeSamples(
  scope: string,
  metric: ComparedMetric,
  base: number[],
  cand: number[],
  o: CompareOptions,
): CompareRow {
  const row = {
    scope,
    metric,
    baseline: base.length ? median(base) : 0,
    candidate: cand.length ? median(cand) : 0,
    baselineSamples: base.length,
    candidateSamples: cand.length,
  };
  if (base.length < o.minSamples || cand.length < o.minSamples)
    return { ...row, judgement: 'not enough samples', regression: false };
  const { p, u } = mannWhitney(base, cand);
  const judged = { ...row, ...changeOf(metric, base, cand, 1 - o.alpha), p };
  const change = judged.change;
  if (p >= o.alpha) return { ...judged, judgement: 'no significant change', regression: false };
  if (!worse(metric, u, base.length, cand.length))
    return { ...judged, judgement: 'improvement', regression: false };
  if (beyondTolerance(metric, change, o.tolerances) <= 0)
    return { ...judged, judgement: 'within tolerance', regression: false };
  // A regression only when the whole interval lies beyond the tolerance: the bound nearest to
  // no change (the lower one; the upper one for rps, which regresses downwards).
  const nearest = metric === 'rps' ? judged.changeHigh : judged.changeLow;
  if (nearest !== undefined && beyondTolerance(metric, nearest, o.tolerances) > 0)
    return { ...judged, judgement: 'regression', regression: true };
  return { ...judged, judgement: 'possibly beyond tolerance', regression: false };
}

function rowsFor(scope: string, b: ScopeFigures, c: ScopeFigures, o: CompareOptions): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const metric of COMPARED_METRICS) {
    const bs = b.perSecond[metric];
    const cs = c.perSecond[metric];
    if (bs && cs) {
      rows.push(judgeSamples(scope, metric, bs, cs, o));
      continue;
    }
    // Without a per-second series only the headline figures are shown, and not judged.
    if (metric === 'p50 ms' || metric === 'p99 ms') continue;
    const bw = b.whole[metric];
    const cw = c.whole[metric];
    if (bw === undefined || cw === undefined) continue;
    rows.push({
      scope,
      metric,
      baseline: bw,
      candidate: cw,
      baselineSamples: 0,
      candidateSamples: 0,
      judgement: 'no per-second data',
      regression: false,
    });
  }
  return rows;
}

export function compareResults(
  baseline: ResultsFile,
  candidate: ResultsFile,
  options: CompareOptions = DEFAULT_COMPARE_OPTIONS,
): CompareRow[] {
  const rows = rowsFor('(run)', runFigures(baseline), runFigures(candidate), options);
  for (const [name, b] of Object.entries(baseline.scenarios)) {
    const bf = scenarioFigures(baseline, name);
    const cf = scenarioFigures(candidate, name);
    if (!bf || !cf) continue;
    rows.push(...rowsFor(name, bf, cf, options));
    for (const e of b.endpoints) {
      const be = endpointFigures(baseline, name, e.key);
      const ce = endpointFigures(candidate, name, e.key);
      if (be && ce) rows.push(...rowsFor(`${name} / ${e.key}`, be, ce, options));
    }
  }
  return rows;
}

/** What makes two runs hard to compare: different plans, plan files or targets. */
export function compareWarnings(baseline: ResultsFile, candidate: ResultsFile): string[] {
  const out: string[] = [];
  const differ = (what: string, b: string | undefined, c: string | undefined) => {
    if (b !== c) out.push(`the runs come from different ${what}: ${b ?? '(none)'} and ${c ?? '(none)'}`);
  };
  differ('plans', baseline.plan.name, candidate.plan.name);
  if (baseline.plan.file && candidate.plan.file)
    differ('plan files', baseline.plan.file, candidate.plan.file);
  differ('targets', baseline.plan.target, candidate.plan.target);
  const bs = Object.keys(baseline.scenarios).sort().join(', ');
  const cs = Object.keys(candidate.scenarios).sort().join(', ');
  if (bs !== cs) out.push(`the runs have different scenarios: ${bs || '(none)'} and ${cs || '(none)'}`);
  // A run that did not deliver its planned load, or judged it with looser limits, compares poorly.
  for (const [which, r] of [
    ['baseline', baseline],
    ['candidate', candidate],
  ] as const)
    for (const v of r.validity ?? []) {
      if (!v.ok) out.push(`the ${which} run failed run validity ${v.name}: ${validityText(v)}`);
      else if (v.loosened) out.push(`the ${which} run loosened run validity ${v.name}: ${validityText(v)}`);
    }
  return out;
}

/** A figure with three significant digits at most (two decimals for small ones). */
function figure(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  return String(abs >= 100 ? Math.round(x) : abs >= 10 ? Math.round(x * 10) / 10 : Math.round(x * 100) / 100);
}

function signed(metric: ComparedMetric, x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+inf' : '-inf';
  const text = `${x > 0 ? '+' : ''}${figure(x)}`;
  return metric === 'errors %' ? `${text} pts` : `${text}%`;
}

const judged = (r: CompareRow) => r.change !== undefined;

/** benchstat's column: the change when significant, `~` when not, empty when not judged. */
function deltaText(r: CompareRow): string {
  if (!judged(r)) return '';
  return r.judgement === 'no significant change' ? '~' : signed(r.metric, r.change as number);
}

function intervalText(r: CompareRow): string {
  if (r.changeLow === undefined || r.changeHigh === undefined) return '';
  return `${signed(r.metric, r.changeLow)} .. ${signed(r.metric, r.changeHigh)}`;
}

function pText(r: CompareRow): string {
  if (r.p === undefined) return '';
  return r.p < 0.001 ? '<0.001' : r.p.toFixed(3);
}

const nText = (r: CompareRow) =>
  r.judgement === 'no per-second data' ? '-' : `${r.baselineSamples}+${r.candidateSamples}`;

const JUDGEMENT_TEXT: Record<Judgement, string> = {
  regression: 'REGRESSION',
  'within tolerance': 'worse, within tolerance',
  'possibly beyond tolerance': 'worse, maybe beyond tolerance',
  improvement: 'better',
  'no significant change': 'no significant change',
  'not enough samples': 'not enough samples to judge',
  'no per-second data': 'no per-second data, not judged',
};

function columns(o: CompareOptions): string[] {
  const confidence = `${figure(100 * (1 - o.alpha))}% CI`;
  return ['scope', 'metric', 'old', 'new', 'delta', confidence, 'p', 'n', 'result'];
}

function cells(r: CompareRow): string[] {
  return [
    r.scope,
    r.metric,
    figure(r.baseline),
    figure(r.candidate),
    deltaText(r),
    intervalText(r),
    pText(r),
    nText(r),
    JUDGEMENT_TEXT[r.judgement],
  ];
}

/** What the columns mean and how rows were judged, below the table. */
function legend(o: CompareOptions): string[] {
  const t = o.tolerances;
  return [
    'old, new: the median of the per-second values (whole seconds only); n: seconds used, baseline+candidate.',
    `delta: the shift of new against old (Hodges-Lehmann), ~ when not significant (Mann-Whitney U, two-sided p >= ${o.alpha});`,
    `a regression is significant and its interval wholly beyond its tolerance (p50/p95/p99 +${t.latencyPct}%, errors +${t.errorRatePts} pts, rps -${t.rpsPct}%);`,
    `at least ${o.minSamples} whole seconds in each run to judge.`,
  ];
}

function summary(rows: CompareRow[]): string {
  const bad = rows.filter((r) => r.regression).length;
  const unjudged = rows.filter((r) => r.judgement === 'not enough samples').length;
  const head = bad ? `${bad} significant regression${bad === 1 ? '' : 's'}` : 'no significant regression';
  return unjudged
    ? `${head} (${unjudged} row${unjudged === 1 ? '' : 's'} with not enough samples to judge)`
    : head;
}

export function renderCompareTable(rows: CompareRow[], o: CompareOptions = DEFAULT_COMPARE_OPTIONS): string {
  const table = [columns(o), ...rows.map(cells)];
  const w = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
  const leftAligned = new Set([0, 1, 8]);
  const lines = table.map((row) =>
    row
      .map((c, i) => (leftAligned.has(i) ? c.padEnd(w[i] as number) : c.padStart(w[i] as number)))
      .join('  ')
      .trimEnd(),
  );
  return `${lines.join('\n')}\n\n${legend(o).join('\n')}\n\n${summary(rows)}\n`;
}

export function renderCompareMarkdown(
  rows: CompareRow[],
  warnings: string[] = [],
  o: CompareOptions = DEFAULT_COMPARE_OPTIONS,
): string {
  const out = [
    ...warnings.map((w) => `> warning: ${escapeMarkdown(w)}`),
    ...(warnings.length ? [''] : []),
    `| ${columns(o).join(' | ')} |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    // The scope is a name from the plan; the other cells are figures and words of our own.
    const c = cells(r).map((text, i) => (i === 0 ? escapeMarkdown(text) : text));
    if (r.regression) c[8] = `**${c[8]}**`;
    out.push(`| ${c.join(' | ')} |`);
  }
  out.push('', ...legend(o), '', summary(rows));
  return `${out.join('\n')}\n`;
}
