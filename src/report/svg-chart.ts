import { escapeHtml } from './escape.ts';

/**
 * Line charts as inline SVG: no script, no network, drawn by any browser and by print.
 * Long series are reduced to at most `maxPoints` by keeping each bucket's extreme, so a spike
 * survives the reduction. A value of NaN is a gap: the line stops there.
 */
export interface Series {
  name: string;
  color: string;
  values: number[];
}

const esc = escapeHtml;

/** Buckets of the x axis, each keeping the max of every series (peaks stay visible). */
export function downsample(
  xs: number[],
  series: Series[],
  maxPoints: number,
): { xs: number[]; series: Series[] } {
  if (xs.length <= maxPoints) return { xs, series };
  const size = Math.ceil(xs.length / maxPoints);
  const outX: number[] = [];
  const outS = series.map((s) => ({ ...s, values: [] as number[] }));
  for (let i = 0; i < xs.length; i += size) {
    outX.push(xs[Math.min(i + size - 1, xs.length - 1)] as number);
    series.forEach((s, k) => {
      const known = s.values.slice(i, i + size).filter((v) => !Number.isNaN(v));
      (outS[k] as Series).values.push(known.length ? Math.max(...known) : Number.NaN);
    });
  }
  return { xs: outX, series: outS };
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function lineChart(o: {
  title: string;
  unit: string;
  xs: number[];
  series: Series[];
  width?: number;
  height?: number;
}): string {
  const W = o.width ?? 560;
  const H = o.height ?? 200;
  const pad = { l: 52, r: 10, t: 26, b: 30 };
  const { xs, series } = downsample(o.xs, o.series, 600);
  const xMin = xs[0] ?? 0;
  const xMax = Math.max(xs[xs.length - 1] ?? 1, xMin + 1);
  const yMax = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v) => !Number.isNaN(v)))));
  const px = (x: number) => pad.l + ((x - xMin) / (xMax - xMin)) * (W - pad.l - pad.r);
  const py = (y: number) => H - pad.b - (y / yMax) * (H - pad.t - pad.b);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const y = py(yMax * f);
      const label = Number((yMax * f).toPrecision(3));
      return `<line x1="${pad.l}" x2="${W - pad.r}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" class="grid"/><text x="${pad.l - 6}" y="${(y + 4).toFixed(1)}" class="ylabel">${label}</text>`;
    })
    .join('');
  const xticks = [0, 0.5, 1]
    .map((f) => {
      const x = xMin + (xMax - xMin) * f;
      return `<text x="${px(x).toFixed(1)}" y="${H - 10}" class="xlabel">${Math.round(x)}s</text>`;
    })
    .join('');
  const lines = series
    .filter((s) => s.values.some((v) => v > 0))
    .map((s) => {
      // NaN is "no value here" (a run that had ended): the line stops instead of dropping to 0.
      const d = s.values
        .map((v, i) =>
          Number.isNaN(v)
            ? ''
            : `${i && !Number.isNaN(s.values[i - 1] as number) ? 'L' : 'M'}${px(xs[i] as number).toFixed(1)},${py(v).toFixed(1)}`,
        )
        .join('');
      return `<path d="${d}" stroke="${s.color}" class="line" data-series="${esc(s.name)}"/>`;
    })
    .join('');
  const legend = series
    .map(
      (s, i) =>
        `<span class="key"><i style="background:${s.color}"></i>${esc(s.name)}</span>${i < series.length - 1 ? ' ' : ''}`,
    )
    .join('');
  return `<figure class="chart"><figcaption>${esc(o.title)} <small>(${esc(o.unit)})</small></figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}">${grid}${xticks}${lines}</svg><div class="legend">${legend}</div></figure>`;
}

/**
 * A latency distribution as HdrHistogram plots it: latency (log scale) against percentile, with
 * the percentile axis stretched as 1 / (1 - p) so that the tail (99%, 99.9%, ...) gets room.
 * One line per series of `[percentile, ms]` points; several series share the axes.
 */
export function percentileChart(o: {
  title: string;
  series: { name: string; color: string; points: [number, number][] }[];
  width?: number;
  height?: number;
}): string {
  const W = o.width ?? 560;
  const H = o.height ?? 220;
  // Room on the right for the last percentile label.
  const pad = { l: 52, r: 28, t: 26, b: 30 };
  // The x axis ends at 99.999%; the maximum (100%) is drawn there too.
  const nines = (p: number) => Math.min(5, -Math.log10(Math.max(1e-5, 1 - p / 100)));
  const values = o.series.flatMap((s) => s.points.map(([, v]) => v)).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values, 1)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values, lo * 10)));
  const px = (p: number) => pad.l + (nines(p) / 5) * (W - pad.l - pad.r);
  const py = (v: number) =>
    H -
    pad.b -
    ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) *
      (H - pad.t - pad.b);
  const grid: string[] = [];
  for (let v = lo; v <= hi * 1.0001; v *= 10) {
    const y = py(v).toFixed(1);
    grid.push(
      `<line x1="${pad.l}" x2="${W - pad.r}" y1="${y}" y2="${y}" class="grid"/><text x="${pad.l - 6}" y="${(Number(y) + 4).toFixed(1)}" class="ylabel">${Number(v.toPrecision(3))}</text>`,
    );
  }
  const xticks = ['0%', '90%', '99%', '99.9%', '99.99%', '99.999%']
    .map(
      (label, k) =>
        `<text x="${(pad.l + (k / 5) * (W - pad.l - pad.r)).toFixed(1)}" y="${H - 10}" class="xlabel">${label}</text>`,
    )
    .join('');
  const lines = o.series
    .filter((s) => s.points.length > 1)
    .map((s) => {
      const d = s.points
        .map(([p, v], i) => `${i ? 'L' : 'M'}${px(p).toFixed(1)},${py(v).toFixed(1)}`)
        .join('');
      return `<path d="${d}" stroke="${s.color}" class="line percentile" data-series="${esc(s.name)}"/>`;
    })
    .join('');
  const legend = o.series
    .map((s) => `<span class="key"><i style="background:${s.color}"></i>${esc(s.name)}</span>`)
    .join(' ');
  return `<figure class="chart distribution"><figcaption>${esc(o.title)} <small>(ms, log scale, by percentile)</small></figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}">${grid.join('')}${xticks}${lines}</svg><div class="legend">${legend}</div></figure>`;
}
