/**
 * `--out json=FILE` and `--out csv=FILE`: each second's series written as it closes (NDJSON or
 * CSV with a header row), so a long run can be followed with `tail -f` and nothing waits for
 * the end. The file is opened before any load is sent: a path that cannot be written is an
 * input error.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import type { MetricStore } from '../metrics/store.ts';
import { CSV_COLUMNS, csvRow, secondLines } from './series-lines.ts';
import { fileErrorText } from './write-results.ts';

export const SERIES_KINDS = ['json', 'csv'] as const;
export type SeriesKind = (typeof SERIES_KINDS)[number];

export interface SeriesOutput {
  kind: SeriesKind;
  path: string;
}

/**
 * The values of `--out`: `KIND=PATH` for a streaming output, anything else the results folder
 * (at most one). An unknown kind is an error that lists the kinds.
 */
export function parseOutValues(values: readonly string[]): { dir?: string; series: SeriesOutput[] } {
  let dir: string | undefined;
  const series: SeriesOutput[] = [];
  for (const v of values) {
    const m = /^([a-z][a-z0-9-]*)=(.*)$/.exec(v);
    if (!m) {
      if (dir !== undefined) throw new UsageError(`--out: one results folder only, got "${dir}" and "${v}"`);
      dir = v;
      continue;
    }
    const [, kind, path] = m as unknown as [string, string, string];
    if (!(SERIES_KINDS as readonly string[]).includes(kind))
      throw new UsageError(
        `--out ${v}: unknown output "${kind}" (kinds: ${SERIES_KINDS.join(', ')}; a folder without KIND= for results.json)`,
      );
    if (path === '') throw new UsageError(`--out ${v}: expected a file after "${kind}="`);
    series.push({ kind: kind as SeriesKind, path });
  }
  return { ...(dir !== undefined ? { dir } : {}), series };
}

export class SeriesFile {
  private readonly fd: number;

  constructor(private readonly output: SeriesOutput) {
    try {
      this.fd = openSync(output.path, 'w');
    } catch (e) {
      throw new UsageError(`--out ${output.kind}=${output.path}: cannot write there (${fileErrorText(e)})`);
    }
    if (output.kind === 'csv') writeSync(this.fd, `${CSV_COLUMNS.join(',')}\n`);
  }

  write(second: number, epochMs: number, figures: MetricStore): void {
    const lines = secondLines(second, epochMs, figures);
    if (!lines.length) return;
    const text =
      this.output.kind === 'json'
        ? lines.map((l) => JSON.stringify(l)).join('\n')
        : lines.map(csvRow).join('\n');
    writeSync(this.fd, `${text}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }
}
