/**
 * results.md: verdict, thresholds, checks, scenarios and endpoints in Markdown, for pull
 * requests. A pure function of results files.
 */

import { flowCheckRows, passShare } from '../outputs/flow-checks.ts';
import { runNotes } from '../outputs/run-notes.ts';
import type { ResultsFile, TrendSummary } from '../results/types.ts';
import { escapeMarkdown, markdownCode } from './escape.ts';

/** Names and texts from the plan, the URLs or the run: inert in any part of the Markdown. */
const cell = escapeMarkdown;
const ms = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(1));

export function renderMarkdown(all: ResultsFile[]): string {
  const out: string[] = [];
  const go = all.every((r) => r.verdict.status === 'GO');
  out.push(`# loadproof: ${go ? 'GO' : 'NO-GO'}`, '');
  for (const r of all) {
    out.push(`## ${cell(r.plan.name)}: ${r.verdict.status}`, '');
    out.push(
      `${r.startedAt}, ${(r.durationMs / 1000).toFixed(1)} s, ${r.requests.total} requests (${r.requests.rps.toFixed(1)}/s), ` +
        `${r.iterations} iterations, ${r.droppedIterations} dropped${r.interrupted ? ', **interrupted**' : ''}.`,
      '',
    );
    for (const reason of r.verdict.reasons) out.push(`- ${cell(reason)}`);
    for (const w of r.verdict.warnings) out.push(`- warning: ${cell(w)}`);
    const notes = runNotes(r);
    for (const note of notes) out.push(`- ${cell(note)}`);
    if (r.verdict.reasons.length || r.verdict.warnings.length || notes.length) out.push('');
    if (r.thresholds.length) {
      out.push('| threshold | actual | result |', '| --- | ---: | --- |');
      for (const t of r.thresholds) {
        out.push(
          `| ${markdownCode(t.metric)} ${markdownCode(t.expression)}${t.critical ? ` (critical ${markdownCode(t.critical)})` : ''}${t.isDefault ? ' (default)' : ''} | ${t.actual ?? 'no data'} | ${t.level} |`,
        );
      }
      out.push('');
    }
    if (r.validity?.length) {
      out.push('| run validity | actual | limit | result |', '| --- | ---: | --- | --- |');
      for (const v of r.validity) {
        out.push(
          `| \`${v.name}\` ${cell(v.description)}${v.loosened ? ' (loosened by the plan)' : ''} | ${cell(v.actual)} | ${cell(v.limit)} | ${v.ok ? 'PASS' : 'FAIL'} |`,
        );
      }
      out.push('');
    }
    if (r.checks.length) {
      out.push('| invariant | runs | failures | result |', '| --- | ---: | ---: | --- |');
      for (const c of r.checks) {
        out.push(
          `| ${cell(c.name)} | ${c.runs} | ${c.failures} | ${c.ok ? 'PASS' : `FAIL (${c.phase}): ${cell(c.message ?? '')}`} |`,
        );
      }
      out.push('');
    }
    const flowChecks = flowCheckRows(r);
    if (flowChecks.length) {
      out.push('| flow check | passes | fails | passed | result |', '| --- | ---: | ---: | ---: | --- |');
      for (const c of flowChecks) {
        out.push(
          `| ${cell(c.name)} | ${c.passes} | ${c.fails} | ${passShare(c)} | ${c.fails ? 'FAIL' : 'PASS'} |`,
        );
      }
      out.push('');
    }
    out.push(
      '| scenario / endpoint | requests | rps | statuses | p50 ms | p95 ms | p99 ms | max ms |',
      '| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
    );
    for (const s of Object.values(r.scenarios)) {
      const d = s.metrics.http_req_duration as TrendSummary | undefined;
      const statuses = (q: typeof s.requests) =>
        [...Object.entries(q.byStatus), ...Object.entries(q.errors)]
          .map(([k, n]) => `${cell(k)}: ${n}`)
          .join(', ') || '-';
      out.push(
        `| **${cell(s.name)}** | ${s.requests.total} | ${s.requests.rps.toFixed(1)} | ${statuses(s.requests)} | ${ms(d?.p50)} | ${ms(d?.p95)} | ${ms(d?.p99)} | ${ms(d?.max)} |`,
      );
      for (const e of s.endpoints) {
        out.push(
          `| ${cell(e.key)} | ${e.requests.total} | ${e.requests.rps.toFixed(1)} | ${statuses(e.requests)} | ${ms(e.latency.p50)} | ${ms(e.latency.p95)} | ${ms(e.latency.p99)} | ${ms(e.latency.max)} |`,
        );
      }
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
