/** Small formatting helpers shared by the console outputs. */
export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (v >= 10_000) return `${(v / 1000).toFixed(1)}s`;
  if (v >= 100) return `${v.toFixed(0)}ms`;
  if (v >= 10) return `${v.toFixed(1)}ms`;
  return `${v.toFixed(2)}ms`;
}

export function num(v: number): string {
  return Number.isInteger(v)
    ? v.toLocaleString('en-US')
    : v.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

export function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(2)}%` : '-';
}

/** Lays out rows as aligned columns; the first row is the header. */
export function table(rows: string[][], rightAlignFrom = 1): string {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  return rows
    .map((r) =>
      r
        .map((c, i) =>
          i >= rightAlignFrom ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** ANSI colours for a terminal; plain text when off (not a TTY, or NO_COLOR set). */
export function palette(on: boolean) {
  const wrap = (code: number) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  const green = wrap(32);
  const red = wrap(31);
  const yellow = wrap(33);
  return {
    bold: wrap(1),
    /** PASS, WARN, FAIL, GO, NO-GO in their colours. */
    level: (s: string) => (s === 'PASS' || s === 'GO' ? green(s) : s === 'WARN' ? yellow(s) : red(s)),
  };
}

/** Whether a stream should get colour: a TTY, and NO_COLOR (any value) not set. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}
