/**
 * Artillery payloads: CSV files whose columns become variables of each virtual user.
 * `fields` names the columns in order; `order: sequence` hands out rows in file order (row n to
 * the n-th arrival of the whole run, over every worker thread), `random` (the default) picks one
 * per arrival; `skipHeader` drops the first row; `cast` (default true) turns numbers into
 * numbers; `loadAll` with `name` gives every row to every user as one variable.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlanLoadError } from '../../errors.ts';
import { CsvSyntaxError, parseCsv } from '../csv.ts';
import { readInputFile } from '../input-file.ts';

export interface PayloadOptions {
  fields?: string[];
  order?: 'random' | 'sequence';
  skipHeader?: boolean;
  delimiter?: string;
  cast?: boolean;
  loadAll?: boolean;
  name?: string;
}

export interface Payload {
  file: string;
  rows: unknown[][];
  fields: string[];
  order: 'random' | 'sequence';
  loadAll: boolean;
  name?: string;
  /** With loadAll: every row, built once and shared by every user. */
  all?: unknown[];
}

function castValue(v: string): unknown {
  const t = v.trim();
  if (t !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  return v;
}

/** Reads a CSV payload (a path, or a URL as converted plans write it). */
export function loadPayload(where: string | URL, options: PayloadOptions = {}): Payload {
  const file = where instanceof URL ? fileURLToPath(where) : resolve(where);
  const text = readInputFile(file, 'payload').toString('utf8');
  let rows: unknown[][];
  try {
    rows = parseCsv(text.replace(/^\uFEFF/, ''), options.delimiter ?? ',');
  } catch (e) {
    if (!(e instanceof CsvSyntaxError)) throw e;
    throw new PlanLoadError(`payload ${file}:${e.line}: ${e.message}`);
  }
  if (options.skipHeader) rows = rows.slice(1);
  if (options.cast !== false) rows = rows.map((r) => r.map((v) => castValue(v as string)));
  return {
    file,
    rows,
    fields: options.fields ?? [],
    order: options.order ?? 'random',
    loadAll: options.loadAll === true,
    ...(options.name !== undefined ? { name: options.name } : {}),
  };
}

/** The variables one arrival gets from a payload; `arrival` numbers the run's arrivals from 0. */
export function payloadVariables(p: Payload, arrival: number, into: Record<string, unknown>): void {
  if (p.loadAll) {
    if (p.name === undefined) return;
    p.all ??=
      p.fields.length > 0
        ? p.rows.map((r) => Object.fromEntries(p.fields.map((f, i) => [f, r[i]])))
        : p.rows.map((r) => [...r]);
    into[p.name] = p.all;
    return;
  }
  const n = p.rows.length;
  const row =
    n === 0
      ? []
      : p.order === 'sequence'
        ? (p.rows[((arrival % n) + n) % n] as unknown[])
        : (p.rows[Math.floor(Math.random() * n)] as unknown[]);
  p.fields.forEach((f, i) => {
    into[f] = row[i];
  });
}
