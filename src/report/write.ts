/**
 * Writes the reports (report.html, results.md, junit.xml) of one or several results files into a folder. Rendered from results.json
 * alone, so they can be rebuilt later with `loadproof report`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsWithoutSecrets } from '../results/results-without-secrets.ts';
import type { ResultsFile } from '../results/types.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

export function writeReports(dir: string, given: ResultsFile[]): string[] {
  const results = given.map(resultsWithoutSecrets);
  const html = join(dir, 'report.html');
  writeFileSync(html, renderHtml(results));
  const md = join(dir, 'results.md');
  writeFileSync(md, renderMarkdown(results));
  const junit = join(dir, 'junit.xml');
  writeFileSync(junit, renderJunit(results));
  return [html, md, junit];
}
