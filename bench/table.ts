/** Prints rows as an aligned table: the first column left-aligned, the others right-aligned. */
export function printTable(header: string[], rows: string[][]): void {
  const all = [header, ...rows];
  const w = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  for (const r of all)
    console.log(
      r.map((c, i) => (i === 0 ? c.padEnd(w[i] as number) : c.padStart(w[i] as number))).join('  '),
    );
}

/** The values joined with commas, or 'none'. */
export function joinOrNone(values: readonly (string | number)[] | undefined): string {
  return values?.length ? values.join(', ') : 'none';
}
