/** Reads a results.json for reporting, with an error that names the file and what is wrong. */
import { readFileSync } from 'node:fs';
import { InputFileError } from '../errors.ts';
import { type ResultsFile, SCHEMA_VERSION } from '../results/types.ts';
import { isUnfinishedRun } from '../results/unfinished-run.ts';

export function readResultsFile(path: string): ResultsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputFileError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  return parseResultsFile(path, text);
}

/** A results.json's text read already (from `path`, named in errors), parsed and checked. */
export function parseResultsFile(path: string, text: string): ResultsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputFileError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  if (isUnfinishedRun(data)) {
    throw new InputFileError(
      `${path}: not results: the run that writes this file (${data.planFile}, started ${data.startedAt}, pid ${data.pid}) has not finished: it is still running, or it stopped without writing results (killed, or an error)`,
    );
  }
  const r = data as Partial<ResultsFile>;
  if (typeof r !== 'object' || r === null || r.tool?.name !== 'loadproof') {
    throw new InputFileError(`${path}: not a loadproof results.json (tool.name is not "loadproof")`);
  }
  if (r.schemaVersion !== SCHEMA_VERSION) {
    throw new InputFileError(
      `${path}: schemaVersion ${r.schemaVersion} is not supported (this loadproof reads ${SCHEMA_VERSION})`,
    );
  }
  for (const field of [
    'verdict',
    'requests',
    'metrics',
    'scenarios',
    'thresholds',
    'checks',
    'timeline',
  ] as const) {
    if (r[field] === undefined) throw new InputFileError(`${path}: field "${field}" is missing`);
  }
  return r as ResultsFile;
}
