/**
 * A plan's data sets: arrays as written, or JSON and CSV files (relative to the plan file).
 * Loaded once per thread and shared by its VUs, never copied per VU.
 */
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { PlanLoadError } from '../errors.ts';
import type { DataInput } from './types.ts';

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. Returns rows of fields. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** CSV with a header row, as objects keyed by the header's names. */
export function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h.trim(), r[i] ?? ''])));
}

export function loadData(
  data: Record<string, DataInput>,
  baseDir: string,
): Record<string, readonly unknown[]> {
  const out: Record<string, readonly unknown[]> = {};
  for (const [name, d] of Object.entries(data)) {
    if (Array.isArray(d)) {
      out[name] = d;
      continue;
    }
    const { file, format } = d as { file: string; format?: 'json' | 'csv' };
    const path = resolve(baseDir, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new PlanLoadError(`data.${name}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    const kind = format ?? (extname(path).toLowerCase() === '.csv' ? 'csv' : 'json');
    if (kind === 'csv') out[name] = csvRecords(text);
    else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new PlanLoadError(`data.${name}: ${path} is not valid JSON: ${(e as Error).message}`);
      }
      if (!Array.isArray(parsed)) throw new PlanLoadError(`data.${name}: ${path} must hold a JSON array`);
      out[name] = parsed;
    }
  }
  return out;
}
