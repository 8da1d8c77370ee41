/**
 * The end-of-test summary for a terminal: per scenario requests, rps, statuses and latency,
 * then thresholds with their actual values, checks, and the verdict. A pure function of
 * results.json.
 */

import { resultsWithoutSecrets } from '../results/results-without-secrets.ts';
import type { ResultsFile, TrendSummary } from '../results/types.ts';
import { flowCheckRows, passShare } from './flow-checks.ts';
import { ms, num, palette, pct, table } from './format.ts';
import { customMetrics, describeMetric } from './metric-text.ts';
import { runNotes } from './run-notes.ts';
import { thresholdActual } from './threshold-value.ts';
import { VALIDITY_TITLE, validityText } from './validity-text.ts';

function statuses(byStatus: Record<string, number>, errors: Record<string, number>): string {
  const parts = Object.entries(byStatus).map(([s, n]) => `${s}:${num(n)}`);
  for (const [c, n] of Object.entries(errors)) parts.push(`${c}:${num(n)}`);
  return parts.join(' ') || '-';
}

function latencyCells(t: TrendSummary | undefined): string[] {
  return t ? [ms(t.min), ms(t.p50), ms(t.p95), ms(t.p99), ms(t.max)] : ['-', '-', '-', '-', '-'];
}

export function renderConsoleSummary(given: ResultsFile, options: { color?: boolean } = {}): string {
  const r = resultsWithoutSecrets(given);
  const c = palette(options.color === true);
  const out: string[] = [];
  out.push(`loadproof ${r.tool.version}: ${r.plan.name} against ${r.plan.target}`);
  out.push(
    `duration ${(r.durationMs / 1000).toFixed(1)}s, ${r.workers} worker${r.workers === 1 ? '' : 's'}, ` +
      `${num(r.requests.total)} requests (${num(r.requests.rps)}/s), ${num(r.iterations)} iterations, ` +
      `${num(r.droppedIterations)} dropped${r.interrupted ? `, INTERRUPTED (${r.interruptReason ?? ''})` : ''}`,
  );
  for (const note of runNotes(r)) out.push(`! ${note}`);
  out.push('');
  const rows = [
    ['scenario / endpoint', 'requests', 'rps', 'failed', 'min', 'p50', 'p95', 'p99', 'max', 'statuses'],
  ];
  for (const s of Object.values(r.scenarios)) {
    const lat = s.metrics.http_req_duration as TrendSummary | undefined;
    rows.push([
      `${s.name} (${s.executor})`,
      num(s.requests.total),
      num(s.requests.rps),
      pct(s.requests.failed, s.requests.total),
      ...latencyCells(lat),
      statuses(s.requests.byStatus, s.requests.errors),
    ]);
    for (const e of s.endpoints) {
      rows.push([
        `  ${e.key}`,
        num(e.requests.total),
        num(e.requests.rps),
        pct(e.requests.failed, e.requests.total),
        ...latencyCells(e.latency),
        statuses(e.requests.byStatus, e.requests.errors),
      ]);
    }
    if (s.droppedIterations) rows.push([`  dropped iterations: ${num(s.droppedIterations)}`]);
  }
  out.push(table(rows));
  const service = r.metrics.http_req_service_duration as TrendSummary | undefined;
  const latency = r.metrics.http_req_duration as TrendSummary | undefined;
  if (latency && service) {
    out.push('');
    out.push(
      `latency from intended start: p50 ${ms(latency.p50)} p95 ${ms(latency.p95)} p99 ${ms(latency.p99)}; ` +
        `service time (uncorrected): p50 ${ms(service.p50)} p95 ${ms(service.p95)} p99 ${ms(service.p99)}`,
    );
  }
  if (r.thresholds.length) {
    out.push('');
    out.push(
      r.thresholds.some((t) => t.isDefault)
        ? "thresholds (the plan names none: loadproof's defaults; `thresholds: {}` turns them off)"
        : 'thresholds',
    );
    out.push(
      table(
        r.thresholds.map((t) => [
          `  ${c.level(t.level)}`,
          t.metric,
          t.expression + (t.critical ? ` (critical ${t.critical})` : '') + (t.isDefault ? ' (default)' : ''),
          `actual ${thresholdActual(t, r.metrics)}`,
        ]),
        99,
      ),
    );
  }
  if (r.validity?.length) {
    out.push('');
    out.push(VALIDITY_TITLE);
    out.push(
      table(
        r.validity.map((v) => [
          `  ${c.level(v.ok ? 'PASS' : 'FAIL')}`,
          v.loosened ? `${v.name} (loosened)` : v.name,
          validityText(v),
        ]),
        99,
      ),
    );
  }
  const flowChecks = flowCheckRows(r);
  if (flowChecks.length) {
    out.push('');
    out.push('flow checks');
    for (const f of flowChecks) {
      out.push(
        `  ${c.level(f.fails ? 'FAIL' : 'PASS')}  ${f.name}: ${passShare(f)} passed (${num(f.passes)} passed, ${num(f.fails)} failed)`,
      );
    }
  }
  const groups = Object.entries(r.groups ?? {});
  if (groups.length) {
    out.push('');
    out.push('groups (group_duration)');
    out.push(
      table(
        groups.map(([path, t]) => [`  ${path}`, describeMetric(t)]),
        99,
      ),
    );
  }
  const custom = customMetrics(r);
  if (custom.length) {
    out.push('');
    out.push('custom metrics');
    out.push(
      table(
        custom.map(([name, m]) => [`  ${name}`, describeMetric(m)]),
        99,
      ),
    );
  }
  if (r.checks.length) {
    out.push('');
    out.push('invariants');
    for (const inv of r.checks) {
      out.push(
        `  ${c.level(inv.ok ? 'PASS' : 'FAIL')}  ${inv.name}: ${inv.runs} run${inv.runs === 1 ? '' : 's'}, ${inv.failures} failed` +
          (inv.message ? ` (${inv.phase}: ${inv.message})` : ''),
      );
    }
  }
  out.push('');
  out.push(c.bold(`verdict: ${c.level(r.verdict.status)}`));
  for (const reason of r.verdict.reasons) out.push(`  - ${reason}`);
  for (const w of r.verdict.warnings) out.push(`  ! ${w}`);
  return out.join('\n');
}
