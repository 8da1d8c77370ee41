/** Where the comparison's scripts and k6's recorded outputs of them live. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Facts } from './facts.ts';

export const SCRIPTS_DIR = new URL('./scripts/', import.meta.url).pathname;
export const OUTPUTS_DIR = new URL('./k6-outputs/', import.meta.url).pathname;

/** A fixture: what k6 did with one script. */
export interface K6Output {
  k6: string;
  script: string;
  facts: Facts;
}

export function compareScripts(): string[] {
  return readdirSync(SCRIPTS_DIR)
    .filter((f) => f.endsWith('.js'))
    .sort();
}

export const outputFileOf = (script: string) => `${OUTPUTS_DIR}${script.replace(/\.js$/, '.json')}`;

/** The file a script's handleSummary writes to, in a run's own folder. */
export const summaryFileIn = (dir: string) => `${dir}/handle-summary.json`;

/** The handleSummary file's text, if the script wrote one. */
export function readSummaryFile(dir: string): string | undefined {
  const file = summaryFileIn(dir);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}
