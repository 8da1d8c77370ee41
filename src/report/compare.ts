/**
 * Compares a candidate run with a baseline, for the whole run, per scenario and per endpoint:
 * p95 latency, error rate and requests per second, each judged with a tolerance. Warns when the
 * two runs come from different plans or targets, or when either failed or loosened a run-validity
 * criterion. Pure functions.
 */
import { validityText } from '../outputs/validity-text.ts';
import type { ResultsFile, TrendSummary } from '../results/types.ts';

export interface Tolerances {
  /** p95 may grow by this many percent (default 10). */
  p95Pct: number;
  /** The error rate may grow by this many percentage points (default 0.5). */
  errorRatePts: number;
  /** Requests per second may drop by this many percent (default 10). */
  rpsPct: number;
}

export const DEFAULT_TOLERANCES: Tolerances = { p95Pct: 10, errorRatePts: 0.5, rpsPct: 10 };

export interface CompareRow {
  /** `(run)`, a scenario name, or `scenario / METHOD name` for an endpoint. */
  scope: string;
  metric: 'p95 ms' | 'error rate %' | 'rps';
  baseline: number;
  candidate: number;
  /** Relative change in percent (p95, rps) or the difference in points (error rate). */
  change: number;
  regression: boolean;
}

interface Figures {
  p95?: number;
  errorRate: number;
  rps: number;
}

function figures(
  metrics: Record<string, unknown>,
  requests: { total: number; failed: number; rps: number },
): Figures {
  const d = metrics.http_req_duration as TrendSummary | undefined;
  return {
    ...(d && d.count > 0 ? { p95: d.p95 } : {}),
    errorRate: requests.total > 0 ? (100 * requests.failed) / requests.total : 0,
    rps: requests.rps,
  };
}

const pct = (base: number, cand: number) =>
  base === 0 ? (cand === 0 ? 0 : Number.POSITIVE_INFINITY) : (100 * (cand - base)) / base;
const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : x);

function rowsFor(scope: string, b: Figures, c: Figures, t: Tolerances): CompareRow[] {
  const rows: CompareRow[] = [];
  if (b.p95 !== undefined && c.p95 !== undefined) {
    const change = pct(b.p95, c.p95);
    rows.push({
      scope,
      metric: 'p95 ms',
      baseline: b.p95,
      candidate: c.p95,
      change: round(change),
      regression: change > t.p95Pct,
    });
  }
  const pts = c.errorRate - b.errorRate;
  rows.push({
    scope,
    metric: 'error rate %',
    baseline: round(b.errorRate),
    candidate: round(c.errorRate),
    change: round(pts),
    regression: pts > t.errorRatePts,
  });
  const rpsChange = pct(b.rps, c.rps);
  rows.push({
    scope,
    metric: 'rps',
    baseline: b.rps,
    candidate: c.rps,
    change: round(rpsChange),
    regression: rpsChange < -t.rpsPct,
  });
  return rows;
}

export function compareResults(
  baseline: ResultsFile,
  candidate: ResultsFile,
  t: Tolerances = DEFAULT_TOLERANCES,
): CompareRow[] {
  const rows = rowsFor(
    '(run)',
    figures(baseline.metrics, baseline.requests),
    figures(candidate.metrics, candidate.requests),
    t,
  );
  for (const [name, b] of Object.entries(baseline.scenarios)) {
    const c = candidate.scenarios[name];
    if (!c) continue;
    rows.push(...rowsFor(name, figures(b.metrics, b.requests), figures(c.metrics, c.requests), t));
    for (const be of b.endpoints) {
      const ce = c.endpoints.find((e) => e.key === be.key);
      if (!ce) continue;
      rows.push(
        ...rowsFor(
          `${name} / ${be.key}`,
          figures({ http_req_duration: be.latency }, be.requests),
          figures({ http_req_duration: ce.latency }, ce.requests),
          t,
        ),
      );
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

function changeText(r: CompareRow): string {
  if (!Number.isFinite(r.change)) return 'new';
  const sign = r.change > 0 ? '+' : '';
  return r.metric === 'error rate %' ? `${sign}${r.change} pts` : `${sign}${r.change}%`;
}

export function renderCompareTable(rows: CompareRow[]): string {
  const table = [['scope', 'metric', 'baseline', 'candidate', 'change', 'result']];
  for (const r of rows) {
    table.push([
      r.scope,
      r.metric,
      String(round(r.baseline)),
      String(round(r.candidate)),
      changeText(r),
      r.regression ? 'REGRESSION' : 'ok',
    ]);
  }
  const w = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
  const lines = table.map((row) =>
    row.map((c, i) => (i < 2 ? c.padEnd(w[i] as number) : c.padStart(w[i] as number))).join('  '),
  );
  const bad = rows.filter((r) => r.regression).length;
  return `${lines.join('\n')}\n\n${bad ? `${bad} regression${bad === 1 ? '' : 's'}` : 'no regression'}\n`;
}

export function renderCompareMarkdown(rows: CompareRow[], warnings: string[] = []): string {
  const out = [
    ...warnings.map((w) => `> warning: ${w}`),
    ...(warnings.length ? [''] : []),
    '| scope | metric | baseline | candidate | change | result |',
    '| --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    out.push(
      `| ${r.scope} | ${r.metric} | ${round(r.baseline)} | ${round(r.candidate)} | ${changeText(r)} | ${r.regression ? '**REGRESSION**' : 'ok'} |`,
    );
  }
  return `${out.join('\n')}\n`;
}
