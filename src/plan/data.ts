/**
 * A plan's data sets: arrays as written, or JSON and CSV files (relative to the plan file).
 * Loaded once per thread and shared by its VUs, never copied per VU.
 */
import { extname, resolve } from 'node:path';
import { PlanLoadError } from '../errors.ts';
import { CsvSyntaxError, csvRecords } from './csv.ts';
import { readInputFile } from './input-file.ts';
import type { DataInput } from './types.ts';

export { csvRecords, parseCsv } from './csv.ts';

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
    const text = readInputFile(path, `data.${name}`).toString('utf8');
    const kind = format ?? (extname(path).toLowerCase() === '.csv' ? 'csv' : 'json');
    if (kind === 'csv') {
      try {
        out[name] = csvRecords(text);
      } catch (e) {
        if (!(e instanceof CsvSyntaxError)) throw e;
        throw new PlanLoadError(`data.${name}: ${path}:${e.line}: ${e.message}`);
      }
    } else {
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
