/**
 * `--out json=FILE` and `--out csv=FILE`: each second's series written as it closes (NDJSON, or
 * CSV with a header row), so a long run can be followed with `tail -f` and nothing waits for the
 * end. The file is opened when the output is created, before any load is sent: a path that
 * cannot be written is an input error.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import type { LiveOutput, OutputKind, OutputSecond } from './live-output.ts';
import { CSV_COLUMNS, csvRow, type SeriesLine, secondLines } from './series-lines.ts';
import { fileErrorText } from './write-results.ts';

interface LineFormat {
  kind: string;
  header?: string;
  line(l: SeriesLine): string;
}

class SeriesFile implements LiveOutput {
  readonly name: string;
  private fd: number | undefined;

  constructor(
    private readonly format: LineFormat,
    path: string,
  ) {
    this.name = `${format.kind}=${path}`;
    if (path === '') throw new UsageError(`--out ${this.name}: expected a file after "${format.kind}="`);
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new UsageError(`--out ${this.name}: cannot write there (${fileErrorText(e)})`);
    }
    if (format.header) writeSync(this.fd, `${format.header}\n`);
  }

  eachSecond({ second, epochMs, figures }: OutputSecond): void {
    if (this.fd === undefined) return;
    const lines = secondLines(second, epochMs, figures);
    if (lines.length) writeSync(this.fd, `${lines.map((l) => this.format.line(l)).join('\n')}\n`);
  }

  end(): void {
    this.close();
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}

const NDJSON: LineFormat = { kind: 'json', line: (l) => JSON.stringify(l) };
const CSV: LineFormat = { kind: 'csv', header: CSV_COLUMNS.join(','), line: csvRow };

export const jsonOutput: OutputKind = {
  argument: 'FILE',
  summary: 'one NDJSON line per second per series, written as each second closes',
  create: ({ argument }) => new SeriesFile(NDJSON, argument),
};

export const csvOutput: OutputKind = {
  argument: 'FILE',
  summary: 'the same lines as json=, as CSV with a header row',
  create: ({ argument }) => new SeriesFile(CSV, argument),
};
