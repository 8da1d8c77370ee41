/**
 * report.html: one self-contained file (inline CSS and SVG, no script, no request leaving the
 * page) rendered from one or several results files: the verdict first, then thresholds,
 * checks, scenarios and endpoints, and charts over time. Readable on a laptop and printable.
 */

import { flowCheckRows, passShare } from '../outputs/flow-checks.ts';
import { customMetrics, describeMetric } from '../outputs/metric-text.ts';
import { runNotes } from '../outputs/run-notes.ts';
import { thresholdActual } from '../outputs/threshold-value.ts';
import type { ResultsFile, TrendSummary } from '../results/types.ts';
import { escapeHtml } from './escape.ts';
import { lineChart, percentileChart } from './svg-chart.ts';

const esc = escapeHtml;

const ms = (v: number | undefined) => (v === undefined ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const STATUS_COLORS: Record<string, string> = {
  '2': '#2e7d32',
  '3': '#0277bd',
  '4': '#ef6c00',
  '5': '#c62828',
};
const PALETTE = ['#6a1b9a', '#00838f', '#8d6e63', '#ad1457', '#546e7a', '#f9a825'];

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2329;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:20px}
h1{margin:0 0 4px;font-size:22px} h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d8dde3;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.verdict{padding:16px 20px;border-radius:8px;color:#fff;margin:12px 0 8px}
.verdict.go{background:#2e7d32}.verdict.nogo{background:#c62828}
.verdict strong{font-size:26px;letter-spacing:.5px}
.verdict ul{margin:6px 0 0;padding-left:20px}
table{border-collapse:collapse;width:100%;background:#fff;margin:6px 0 12px;font-variant-numeric:tabular-nums}
th,td{padding:5px 8px;border-bottom:1px solid #e6e9ed;text-align:left;vertical-align:top}
td.n,th.n{text-align:right} th{background:#eef1f4;font-weight:600}
.PASS{color:#2e7d32;font-weight:600}.WARN{color:#ef6c00;font-weight:600}.FAIL{color:#c62828;font-weight:600}
.meta{color:#5b6570}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:12px}
figure.chart{margin:0;background:#fff;border:1px solid #e6e9ed;border-radius:6px;padding:8px}
figcaption{font-weight:600;margin-bottom:4px} figcaption small{font-weight:400;color:#5b6570}
svg{width:100%;height:auto} .grid{stroke:#e6e9ed} .line{fill:none;stroke-width:1.6}
.ylabel{font-size:10px;fill:#5b6570;text-anchor:end}.xlabel{font-size:10px;fill:#5b6570;text-anchor:middle}
.legend{font-size:12px;color:#39424b}.key{margin-right:10px;white-space:nowrap}.key i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
pre{background:#fff;border:1px solid #e6e9ed;padding:8px;overflow:auto;font-size:12px}
@media print{body{background:#fff}main{max-width:none;padding:0}.charts{grid-template-columns:1fr 1fr}figure.chart,table{break-inside:avoid}}
`;

function verdictBlock(status: string, reasons: string[], warnings: string[]): string {
  const cls = status === 'GO' ? 'go' : 'nogo';
  const items = [
    ...reasons.map((r) => `<li>${esc(r)}</li>`),
    ...warnings.map((w) => `<li>warning: ${esc(w)}</li>`),
  ].join('');
  return `<div class="verdict ${cls}" data-verdict="${esc(status)}"><strong>${esc(status)}</strong>${items ? `<ul>${items}</ul>` : ''}</div>`;
}

function statuses(q: { byStatus: Record<string, number>; errors: Record<string, number> }): string {
  return (
    [...Object.entries(q.byStatus), ...Object.entries(q.errors)]
      .map(([k, n]) => `${esc(k)}:&nbsp;${n}`)
      .join(' ') || '-'
  );
}

/**
 * The per-second series without a last partial second: a run that ended 0.3 s into its last
 * second would otherwise be drawn as a drop to a third of its rate.
 */
export function wholeSeconds(r: ResultsFile): ResultsFile['timeline'] {
  const t = r.timeline;
  const last = t[t.length - 1];
  return t.length > 1 && last && last.t * 1000 > r.durationMs + 1 ? t.slice(0, -1) : t;
}

const percentileLines = (points: { p50: number; p95: number; p99: number }[]) => [
  { name: 'p50', color: '#0277bd', values: points.map((p) => p.p50) },
  { name: 'p95', color: '#ef6c00', values: points.map((p) => p.p95) },
  { name: 'p99', color: '#c62828', values: points.map((p) => p.p99) },
];

/**
 * Latency over time, one chart per scenario (scenarios of very different speeds would flatten
 * each other on shared axes); the run's own line for results without per-scenario seconds.
 */
function latencyOverTime(r: ResultsFile, t: ResultsFile['timeline']): string {
  const lastWhole = t[t.length - 1]?.t ?? 0;
  const perScenario = Object.values(r.scenarios)
    .map((sc) => ({ name: sc.name, points: (sc.timeline ?? []).filter((p) => p.t <= lastWhole) }))
    .filter((sc) => sc.points.length);
  if (!perScenario.length)
    return lineChart({
      title: 'Latency from intended start',
      unit: 'ms',
      xs: t.map((p) => p.t),
      series: percentileLines(t),
    });
  return perScenario
    .map((sc) =>
      lineChart({
        title: `${sc.name}: latency from intended start`,
        unit: 'ms',
        xs: sc.points.map((p) => p.t),
        series: percentileLines(sc.points),
      }),
    )
    .join('\n');
}

function charts(r: ResultsFile): string {
  const t = wholeSeconds(r);
  if (t.length === 0) return '<p class="meta">No per-second series (the run was shorter than a second).</p>';
  const xs = t.map((p) => p.t);
  const statusKeys = [...new Set(t.flatMap((p) => Object.keys(p.byStatus)))].sort();
  // Failures by code: the requests without an answer (by error code) and the 5xx answers.
  const serverErrors = statusKeys.filter((k) => k.startsWith('5'));
  const errorKeys = [...new Set(t.flatMap((p) => Object.keys(p.errors)))].sort();
  const failureOf = (p: (typeof t)[number], k: string) => p.errors[k] ?? p.byStatus[k] ?? 0;
  const byStatus = statusKeys.map((k, i) => ({
    name: k,
    color: (STATUS_COLORS[k[0] as string] ?? PALETTE[i % PALETTE.length]) as string,
    values: t.map((p) => p.byStatus[k] ?? 0),
  }));
  // Same first digit, different statuses: vary the colour.
  byStatus.forEach((s, i) => {
    if (byStatus.findIndex((o) => o.color === s.color) !== i) s.color = PALETTE[i % PALETTE.length] as string;
  });
  return `<div class="charts">
${lineChart({ title: 'Requests per second by status', unit: 'req/s', xs, series: byStatus })}
${latencyOverTime(r, t)}
${lineChart({
  title: 'Active VUs and dropped iterations',
  unit: 'count',
  xs,
  series: [
    { name: 'active VUs', color: '#6a1b9a', values: t.map((p) => p.activeVUs) },
    { name: 'dropped / s', color: '#c62828', values: t.map((p) => p.dropped) },
  ],
})}
${lineChart({
  title: 'Failures by code (no answer, 5xx)',
  unit: 'per second',
  xs,
  series: [...serverErrors, ...errorKeys].length
    ? [...serverErrors, ...errorKeys].map((k, i) => ({
        name: k,
        color: PALETTE[i % PALETTE.length] as string,
        values: t.map((p) => failureOf(p, k)),
      }))
    : [{ name: 'no errors', color: '#9e9e9e', values: t.map(() => 0) }],
})}
</div>`;
}

function section(r: ResultsFile, index: number, ownBanner: boolean): string {
  const d = r.metrics.http_req_duration as TrendSummary | undefined;
  const svc = r.metrics.http_req_service_duration as TrendSummary | undefined;
  const parts: string[] = [];
  parts.push(`<h2 id="run-${index}">${esc(r.plan.name)}</h2>`);
  if (ownBanner) parts.push(verdictBlock(r.verdict.status, r.verdict.reasons, r.verdict.warnings));
  parts.push(
    `<p class="meta">${esc(r.plan.target)} · ${esc(r.startedAt)} · ${(r.durationMs / 1000).toFixed(1)} s · ${r.workers} worker(s) · ${r.requests.total} requests (${r.requests.rps.toFixed(1)}/s) · ${r.iterations} iterations · ${r.droppedIterations} dropped${r.interrupted ? ` · <strong>interrupted</strong>: ${esc(r.interruptReason ?? '')}` : ''}</p>`,
  );
  const notes = runNotes(r);
  if (notes.length) parts.push(`<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  if (d) {
    parts.push(
      `<p>Latency from intended start: p50 <b>${ms(d.p50)} ms</b>, p95 <b data-metric="p95">${ms(d.p95)} ms</b>, p99 <b>${ms(d.p99)} ms</b>, max ${ms(d.max)} ms${svc ? `; uncorrected service time p95 ${ms(svc.p95)} ms, p99 ${ms(svc.p99)} ms` : ''}.</p>`,
    );
  }
  if (r.thresholds.length) {
    parts.push(
      '<h3>Thresholds</h3><table><tr><th>metric</th><th>expression</th><th>critical</th><th class="n">actual</th><th>result</th></tr>',
    );
    for (const t of r.thresholds) {
      parts.push(
        `<tr><td><code>${esc(t.metric)}</code></td><td><code>${esc(t.expression)}</code>${t.isDefault ? ' (default)' : ''}</td><td>${t.critical ? `<code>${esc(t.critical)}</code>` : ''}</td><td class="n">${esc(thresholdActual(t, r.metrics))}</td><td class="${t.level}">${t.level}${t.aborted ? ' (aborted the run)' : ''}</td></tr>`,
      );
    }
    parts.push('</table>');
  }
  if (r.validity?.length) {
    parts.push(
      '<h3>Run validity</h3><table><tr><th>criterion</th><th>measures</th><th>limit</th><th class="n">actual</th><th>result</th></tr>',
    );
    for (const v of r.validity) {
      parts.push(
        `<tr><td><code>${esc(v.name)}</code>${v.loosened ? ' (loosened by the plan)' : ''}</td><td>${esc(v.description)}</td><td>${esc(v.limit)}</td><td class="n">${esc(v.actual)}</td><td class="${v.ok ? 'PASS' : 'FAIL'}">${v.ok ? 'PASS' : 'FAIL'}</td></tr>`,
      );
    }
    parts.push('</table>');
  }
  if (r.checks.length) {
    parts.push(
      '<h3>Invariants</h3><table><tr><th>invariant</th><th class="n">runs</th><th class="n">failures</th><th>result</th></tr>',
    );
    for (const c of r.checks) {
      parts.push(
        `<tr><td>${esc(c.name)}${c.description ? `<br><span class="meta">${esc(c.description)}</span>` : ''}</td><td class="n">${c.runs}</td><td class="n">${c.failures}</td><td class="${c.ok ? 'PASS' : 'FAIL'}">${c.ok ? 'PASS' : `FAIL (${esc(c.phase ?? '')}): ${esc(c.message ?? '')}`}</td></tr>`,
      );
    }
    parts.push('</table>');
    for (const c of r.checks.filter((x) => x.rows?.length)) {
      parts.push(
        `<p>Offending rows of <b>${esc(c.name)}</b>:</p><pre>${esc(JSON.stringify(c.rows, null, 2))}</pre>`,
      );
    }
  }
  const flowChecks = flowCheckRows(r);
  if (flowChecks.length) {
    parts.push(
      '<h3>Flow checks</h3><table class="flow-checks"><tr><th>flow check</th><th class="n">passes</th><th class="n">fails</th><th class="n">passed</th><th>result</th></tr>',
    );
    for (const c of flowChecks) {
      const level = c.fails ? 'FAIL' : 'PASS';
      parts.push(
        `<tr><td>${esc(c.name)}</td><td class="n">${c.passes}</td><td class="n">${c.fails}</td><td class="n">${passShare(c)}</td><td class="${level}">${level}</td></tr>`,
      );
    }
    parts.push('</table>');
  }
  parts.push(
    '<h3>Scenarios and endpoints</h3><table><tr><th>scenario / endpoint</th><th class="n">requests</th><th class="n">rps</th><th>statuses</th><th class="n">p50</th><th class="n">p95</th><th class="n">p99</th><th class="n">max</th></tr>',
  );
  for (const s of Object.values(r.scenarios)) {
    const sd = s.metrics.http_req_duration as TrendSummary | undefined;
    parts.push(
      `<tr><td><b>${esc(s.name)}</b> <span class="meta">${esc(s.executor)}${s.droppedIterations ? `, ${s.droppedIterations} dropped` : ''}</span></td><td class="n">${s.requests.total}</td><td class="n">${s.requests.rps.toFixed(1)}</td><td>${statuses(s.requests)}</td><td class="n">${ms(sd?.p50)}</td><td class="n">${ms(sd?.p95)}</td><td class="n">${ms(sd?.p99)}</td><td class="n">${ms(sd?.max)}</td></tr>`,
    );
    for (const e of s.endpoints) {
      parts.push(
        `<tr><td>&nbsp;&nbsp;${esc(e.key)}</td><td class="n">${e.requests.total}</td><td class="n">${e.requests.rps.toFixed(1)}</td><td>${statuses(e.requests)}</td><td class="n">${ms(e.latency.p50)}</td><td class="n">${ms(e.latency.p95)}</td><td class="n">${ms(e.latency.p99)}</td><td class="n">${ms(e.latency.max)}</td></tr>`,
      );
    }
  }
  parts.push('</table>');
  const custom = customMetricsTable(r);
  if (custom) parts.push(custom);
  const distributions = Object.values(r.scenarios).filter((sc) => sc.latencyDistribution?.length);
  if (distributions.length) {
    parts.push(
      '<h3>Latency distribution</h3><div class="charts">',
      ...distributions.map((sc, i) =>
        percentileChart({
          title: `${sc.name}: latency by percentile`,
          series: [
            {
              name: sc.name,
              color: PALETTE[i % PALETTE.length] as string,
              points: sc.latencyDistribution as [number, number][],
            },
          ],
        }),
      ),
      '</div>',
    );
  }
  parts.push('<h3>Over time</h3>', charts(r));
  return parts.join('\n');
}

/** Metrics the plan recorded itself (vu.metrics, Artillery's events.emit), with their figures. */
function customMetricsTable(r: ResultsFile): string {
  const rows = customMetrics(r);
  if (!rows.length) return '';
  return `<h3>Custom metrics</h3><table class="custom-metrics"><tr><th>metric</th><th>type</th><th>figures</th></tr>${rows
    .map(
      ([name, m]) =>
        `<tr><td><code>${esc(name)}</code></td><td>${m.type}</td><td>${esc(describeMetric(m))}</td></tr>`,
    )
    .join('')}</table>`;
}

/** Several runs on the same axes, one line per run: p95 and requests per second over time, and latency by percentile. */
function overlay(all: ResultsFile[]): string {
  const label = (r: ResultsFile, i: number) => `${i + 1}. ${r.plan.name}`;
  const longest = all.reduce((a, r) => Math.max(a, wholeSeconds(r).length), 0);
  const xs = Array.from({ length: longest }, (_, k) => k + 1);
  const over = (pick: (p: ResultsFile['timeline'][number]) => number) =>
    all.map((r, i) => {
      const bySecond = new Map(wholeSeconds(r).map((p) => [p.t, pick(p)]));
      return {
        name: label(r, i),
        color: PALETTE[i % PALETTE.length] as string,
        values: xs.map((x) => bySecond.get(x) ?? Number.NaN),
      };
    });
  const withDistribution = all
    .map((r, i) => ({
      name: label(r, i),
      color: PALETTE[i % PALETTE.length] as string,
      points: r.latencyDistribution ?? [],
    }))
    .filter((x) => x.points.length);
  return `<h2>Runs side by side</h2><div class="charts overlay">
${lineChart({ title: 'p95 latency from intended start, by run', unit: 'ms', xs, series: over((p) => p.p95) })}
${lineChart({ title: 'Requests per second, by run', unit: 'req/s', xs, series: over((p) => p.requests) })}
${withDistribution.length ? percentileChart({ title: 'Latency by percentile, by run', series: withDistribution }) : ''}
</div>`;
}

export function renderHtml(all: ResultsFile[]): string {
  const reasons = all.flatMap((r) => r.verdict.reasons.map((x) => `${r.plan.name}: ${x}`));
  const warnings = all.flatMap((r) => r.verdict.warnings.map((x) => `${r.plan.name}: ${x}`));
  const status = all.length && all.every((r) => r.verdict.status === 'GO') ? 'GO' : 'NO-GO';
  // One run: its own verdict is the report's only banner.
  const single = all.length === 1 ? all[0] : undefined;
  const toc =
    all.length > 1
      ? `<p>${all.map((r, i) => `<a href="#run-${i}">${esc(r.plan.name)}</a> (${esc(r.verdict.status)})`).join(' · ')}</p>`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>loadproof: ${esc(status)}</title><style>${CSS}</style></head>
<body><main>
<h1>loadproof report</h1>
<p class="meta">${all.length} run(s) · generated from results.json by loadproof ${esc(all[0]?.tool.version ?? '')}</p>
${single ? verdictBlock(single.verdict.status, single.verdict.reasons, single.verdict.warnings) : verdictBlock(status, reasons, warnings)}
${toc}
${all.length > 1 ? overlay(all) : ''}
${all.map((r, i) => section(r, i, !single)).join('\n')}
</main></body></html>
`;
}
